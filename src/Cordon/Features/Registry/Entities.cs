using System.Text.RegularExpressions;

namespace Cordon.Features.Registry;

public sealed class Area
{
    public int Id { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public AreaLevel Level { get; set; }
    public string? ParentCode { get; set; }
    /// <summary>Every code inside this area starts with it (see <see cref="AreaCode.PrefixOf"/>).</summary>
    public required string Prefix { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    /// <summary>Optional GeoJSON geometry of the boundary, drawn on maps.</summary>
    public string? BoundaryGeoJson { get; set; }
}

public enum KeyGroup
{
    None = 0,
    Courier = 1,
    DeliveryRider = 2,
    MarketVendor = 3,
    MedicalStaff = 4,
    Teacher = 5,
    Student = 6,
    ColdChainWorker = 7,
    TransportWorker = 8,
    ConstructionWorker = 9,
    ServiceStaff = 10,
}

public sealed class Resident
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Keyed hash of the normalised ID number: lookups by ID without storing it readable.</summary>
    public required string IdNumberHash { get; set; }
    /// <summary>The ID number encrypted with the personal-data key (AES-GCM).</summary>
    public required string IdNumberCipher { get; set; }
    public required string Phone { get; set; }
    public DateOnly BirthDate { get; set; }
    public Sex Sex { get; set; }
    public string? Household { get; set; }
    /// <summary>Code of the building (or community) the resident lives in.</summary>
    public required string AreaCode { get; set; }
    public string? Unit { get; set; }
    public string? Room { get; set; }
    public KeyGroup KeyGroup { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum VenueCategory
{
    Supermarket = 1,
    Market = 2,
    Restaurant = 3,
    ConstructionSite = 4,
    Campus = 5,
    School = 6,
    Hospital = 7,
    Office = 8,
    Transport = 9,
    ResidentialGate = 10,
    Hotel = 11,
    Entertainment = 12,
    Pharmacy = 13,
    ColdChainWarehouse = 14,
}

public enum VenueStatus
{
    Open = 1,
    Suspended = 2,
}

public sealed class Venue
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public VenueCategory Category { get; set; }
    public required string AreaCode { get; set; }
    public required string Address { get; set; }
    public VenueStatus Status { get; set; } = VenueStatus.Open;
    /// <summary>The token printed in the venue's QR code; random so that codes cannot be guessed.</summary>
    public required string VenueCode { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static partial class PhoneNumber
{
    // [0-9], not \d (which also matches full-width and other Unicode digits), and \z, not $ (which allows a trailing newline).
    [GeneratedRegex(@"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string? phone) => phone is not null && Pattern().IsMatch(phone);
}
