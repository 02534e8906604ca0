using Microsoft.AspNetCore.Identity;

namespace Cordon.Features.Identity;

public sealed class CordonUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    /// <summary>Code of the area this user works in; they see and change only what lies inside it.</summary>
    public string JurisdictionCode { get; set; } = "";
    /// <summary><see cref="Registry.AreaCode.PrefixOf"/> of the jurisdiction, stored for query filters.</summary>
    public string JurisdictionPrefix { get; set; } = "";
    /// <summary>For a Resident account: the registry entry it belongs to.</summary>
    public long? ResidentId { get; set; }
    public bool IsDemo { get; set; }
}

public static class Roles
{
    public const string Admin = nameof(Admin);
    public const string Commander = nameof(Commander);
    public const string Epidemiologist = nameof(Epidemiologist);
    public const string CommunityWorker = nameof(CommunityWorker);
    public const string SamplingStaff = nameof(SamplingStaff);
    public const string LabTechnician = nameof(LabTechnician);
    public const string QuarantineManager = nameof(QuarantineManager);
    public const string Inspector = nameof(Inspector);
    public const string Resident = nameof(Resident);
    /// <summary>A venue's scanning terminal (场所码终端 / 数字哨兵): uploads its scans, nothing else (ADR 015).</summary>
    public const string VenueTerminal = nameof(VenueTerminal);

    public static readonly string[] All =
        [Admin, Commander, Epidemiologist, CommunityWorker, SamplingStaff, LabTechnician, QuarantineManager, Inspector, Resident, VenueTerminal];

    /// <summary>People working in the system; a terminal is a device, not staff: it sees no registry, no statuses.</summary>
    public static readonly string[] Staff = All.Where(r => r is not (Resident or VenueTerminal)).ToArray();

    /// <summary>Roles whose work needs a person's full name, ID number and phone (always audited).</summary>
    public static readonly string[] UnmaskPersonalData = [Admin, Commander, Epidemiologist, CommunityWorker, QuarantineManager];

    /// <summary>Roles that maintain the registry (residents, venues, import).</summary>
    public static readonly string[] RegistryEditors = [Admin, CommunityWorker];
}
