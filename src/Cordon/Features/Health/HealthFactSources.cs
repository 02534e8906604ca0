namespace Cordon.Features.Health;

// The rules that depend on features not built yet read these small interfaces. Each is asked for a batch of residents
// (up to a few thousand ids) and answers only for those it knows something about. The registered implementations
// contribute nothing until their feature lands and registers its own (ADR 007); when a fact changes, that feature asks
// IHealthRecompute to recompute the people concerned.

/// <summary>Cases (确诊/无症状): residents who are an active case.</summary>
public interface ICaseFacts
{
    Task<IReadOnlySet<long>> ActiveCasesAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default);
}

/// <summary>What contact tracing and quarantine know of a person now.</summary>
public sealed record ContactFact(bool CloseContactInIsolation, bool SecondaryContact, bool HomeMonitoring);

/// <summary>Contacts and observations: close contacts in isolation, secondary contacts, home health monitoring.</summary>
public interface IContactFacts
{
    Task<IReadOnlyDictionary<long, ContactFact>> ContactsAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default);
}

/// <summary>A risk designation in force over an area (by its code prefix: a district, street, community or building).</summary>
public sealed record RiskAreaFact(string AreaPrefix, RiskAreaLevel Level);

/// <summary>Risk areas in force now: a resident whose area code starts with a designation's prefix lives in it.</summary>
public interface IRiskAreaFacts
{
    Task<IReadOnlyList<RiskAreaFact>> InForceAsync(CancellationToken ct = default);
}

/// <summary>Companion search (时空伴随): residents with a hit awaiting review, and since when.</summary>
public interface ICompanionFacts
{
    Task<IReadOnlyDictionary<long, DateTime>> OpenHitsAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default);
}

/// <summary>Until the cases feature lands: nobody is an active case.</summary>
internal sealed class NoCaseFacts : ICaseFacts
{
    public Task<IReadOnlySet<long>> ActiveCasesAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());
}

/// <summary>Until contact tracing and quarantine land: nobody is a contact or under observation.</summary>
internal sealed class NoContactFacts : IContactFacts
{
    public Task<IReadOnlyDictionary<long, ContactFact>> ContactsAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<long, ContactFact>>(new Dictionary<long, ContactFact>());
}

/// <summary>Until risk areas land: no area is designated.</summary>
internal sealed class NoRiskAreaFacts : IRiskAreaFacts
{
    public Task<IReadOnlyList<RiskAreaFact>> InForceAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<RiskAreaFact>>([]);
}

/// <summary>Until companion search lands: no hits.</summary>
internal sealed class NoCompanionFacts : ICompanionFacts
{
    public Task<IReadOnlyDictionary<long, DateTime>> OpenHitsAsync(IReadOnlyCollection<long> residentIds, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<long, DateTime>>(new Dictionary<long, DateTime>());
}
