namespace Cordon.Features.Testing;

public enum SiteKind
{
    Fixed = 1,
    Temporary = 2,
    /// <summary>Door-to-door teams (上门采样) for people who cannot come: lockdown areas, retests, the bedridden.</summary>
    Mobile = 3,
}

public enum SiteStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>A nucleic-acid sampling site (采样点) with weekly opening hours and a capacity per slot.</summary>
public sealed class SamplingSite
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string AreaCode { get; set; }
    public required string Address { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public SiteKind Kind { get; set; } = SiteKind.Fixed;
    public SiteStatus Status { get; set; } = SiteStatus.Open;
    /// <summary>Length of a booking slot in minutes (e.g. 30).</summary>
    public int SlotMinutes { get; set; } = 30;
    /// <summary>People who can be sampled in one slot; bookings never exceed it.</summary>
    public int CapacityPerSlot { get; set; } = 50;
    /// <summary>Weekly hours as text, one entry per weekday: "Mon 08:00-12:00,14:00-18:00; Tue …" (see <see cref="OpeningHours"/>).</summary>
    public required string OpeningHours { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Staff working at a site (采样人员); they scan tubes there.</summary>
public sealed class SiteStaff
{
    public int SiteId { get; set; }
    public required string UserId { get; set; }
}

/// <summary>The booking counter of one slot. Booking increments it only while it is below capacity, in one statement.</summary>
public sealed class SiteSlot
{
    public int SiteId { get; set; }
    public DateTime StartsAt { get; set; }
    public int Booked { get; set; }
}

public enum AppointmentStatus
{
    Booked = 1,
    Cancelled = 2,
    Sampled = 3,
}

public sealed class Appointment
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public int SiteId { get; set; }
    public DateTime SlotStartsAt { get; set; }
    /// <summary>The local calendar day of the slot: one active appointment per person per day.</summary>
    public DateOnly Day { get; set; }
    public AppointmentStatus Status { get; set; } = AppointmentStatus.Booked;
    public DateTime CreatedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
}

/// <summary>A resident's personal sampling code (个人采样码): identifies them at a site without showing the ID number.</summary>
public sealed class SamplingCode
{
    public long ResidentId { get; set; }
    public required string Code { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum TubeStatus
{
    Open = 1,
    Closed = 2,
    Boxed = 3,
    Dispatched = 4,
    Received = 5,
    Resulted = 6,
    /// <summary>Voided by staff with a reason (wrong barcode, spilled); never deleted.</summary>
    Voided = 7,
}

public enum TubeResult
{
    Pending = 0,
    Negative = 1,
    Positive = 2,
    /// <summary>The sample cannot be tested: everyone in it must be sampled again.</summary>
    Invalid = 3,
}

/// <summary>A sample tube (采样管): single (1) or pooled (5, 10, 20 people), with the time of every stage.</summary>
public sealed class Tube
{
    public long Id { get; set; }
    public required string Barcode { get; set; }
    public int PoolSize { get; set; }
    public int SiteId { get; set; }
    public long? BoxId { get; set; }
    public TubeStatus Status { get; set; } = TubeStatus.Open;
    public TubeResult Result { get; set; } = TubeResult.Pending;
    public double? CtValue { get; set; }
    /// <summary>Set when the tube is a single-tube retest of a positive pool.</summary>
    public long? RetestOfTubeId { get; set; }
    public string? OpenedBy { get; set; }
    public DateTime OpenedAt { get; set; }
    /// <summary>Collected: the tube is closed and full (or closed early).</summary>
    public DateTime? CollectedAt { get; set; }
    public DateTime? BoxedAt { get; set; }
    public DateTime? DispatchedAt { get; set; }
    public DateTime? ReceivedAt { get; set; }
    public DateTime? TestedAt { get; set; }
    public DateTime? ReleasedAt { get; set; }
    public string? VoidReason { get; set; }
}

/// <summary>A person sampled into a tube.</summary>
public sealed class TubeMember
{
    public long Id { get; set; }
    public long TubeId { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public DateTime SampledAt { get; set; }
    /// <summary>True while the tube is open: a person can be in one open tube at a time (unique filtered index).</summary>
    public bool InOpenTube { get; set; } = true;
    public long? AppointmentId { get; set; }
    public string? SampledBy { get; set; }
}

public enum BoxStatus
{
    Open = 1,
    Dispatched = 2,
    Received = 3,
}

/// <summary>A transport box of closed tubes, handed over from a site to a lab (转运交接).</summary>
public sealed class TransportBox
{
    public long Id { get; set; }
    public required string Code { get; set; }
    public int SiteId { get; set; }
    public int? LabId { get; set; }
    public BoxStatus Status { get; set; } = BoxStatus.Open;
    public DateTime CreatedAt { get; set; }
    public DateTime? DispatchedAt { get; set; }
    public string? DispatchedBy { get; set; }
    public string? Courier { get; set; }
    public DateTime? ReceivedAt { get; set; }
    public string? ReceivedBy { get; set; }
}

/// <summary>A testing lab (检测机构).</summary>
public sealed class Lab
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string AreaCode { get; set; }
    public required string Address { get; set; }
}

public enum PersonResultKind
{
    Negative = 1,
    /// <summary>Member of a positive pool: awaiting a single-tube retest (混管阳性待复核).</summary>
    PoolPositive = 2,
    Positive = 3,
    /// <summary>The sample could not be tested: come again.</summary>
    Resample = 4,
}

/// <summary>What a resident sees: one result per sampling, released as soon as the lab releases the tube (结果早知道).</summary>
public sealed class PersonResult
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public long TubeId { get; set; }
    public PersonResultKind Kind { get; set; }
    public DateTime SampledAt { get; set; }
    public DateTime ReleasedAt { get; set; }
}

public enum RetestStatus
{
    Open = 1,
    Sampled = 2,
    Done = 3,
}

/// <summary>A single-tube retest order for a member of a positive pool, sampled door to door, with a deadline.</summary>
public sealed class RetestOrder
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public long PoolTubeId { get; set; }
    public long? RetestTubeId { get; set; }
    public RetestStatus Status { get; set; } = RetestStatus.Open;
    public DateTime CreatedAt { get; set; }
    public DateTime DueAt { get; set; }
}

public enum CandidateStatus
{
    New = 1,
    Reviewed = 2,
}

/// <summary>A positive single tube: a case candidate for the epidemiologists (the tracing feature takes it from here).</summary>
public sealed class CaseCandidate
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public long TubeId { get; set; }
    public double? CtValue { get; set; }
    public CandidateStatus Status { get; set; } = CandidateStatus.New;
    public DateTime CreatedAt { get; set; }
}

/// <summary>Which rows a lab result file has already applied: re-sending the same file changes nothing.</summary>
public sealed class ResultImport
{
    public long Id { get; set; }
    public int LabId { get; set; }
    /// <summary>SHA-256 of the file's bytes.</summary>
    public required string FileHash { get; set; }
    public int Rows { get; set; }
    public DateTime ImportedAt { get; set; }
    public string? ImportedBy { get; set; }
}

public enum RoundStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>An area screening round (区域筛查): everyone (or key groups) in some areas must be sampled within a window.</summary>
public sealed class ScreeningRound
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    /// <summary>Empty: everyone. Otherwise the key groups required, comma-separated enum names.</summary>
    public string? KeyGroups { get; set; }
    public RoundStatus Status { get; set; } = RoundStatus.Open;
    public string? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
}

public sealed class ScreeningRoundArea
{
    public int RoundId { get; set; }
    public required string AreaCode { get; set; }
}

/// <summary>How often a key group must be tested (e.g. couriers every 24 h, market vendors every 48 h).</summary>
public sealed class KeyGroupTestingRule
{
    public Registry.KeyGroup KeyGroup { get; set; }
    public int IntervalHours { get; set; }
}

public enum AntigenResult
{
    Negative = 1,
    Positive = 2,
    Invalid = 3,
}

/// <summary>An antigen self-test reported by a resident of a key group (抗原自测).</summary>
public sealed class AntigenReport
{
    public long Id { get; set; }
    public long ResidentId { get; set; }
    public required string AreaCode { get; set; }
    public AntigenResult Result { get; set; }
    public DateTime TakenAt { get; set; }
    public DateTime ReportedAt { get; set; }
    /// <summary>Optional photo of the cassette, stored as a data URL (small JPEG).</summary>
    public string? Photo { get; set; }
}
