using System.Globalization;
using Cordon.Features.Audit;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Testing;

/// <summary>A lab result for one tube. <see cref="TestedAt"/> defaults to now; a time without an offset is city time.</summary>
public sealed record ResultInput(TubeResult? Result, double? Ct, DateTime? TestedAt);

/// <summary>What entering a result did: <see cref="Unchanged"/> when the tube already had exactly this result.</summary>
public sealed record ResultEntryDto(
    string Barcode, TubeResult Result, double? CtValue, PersonResultKind Outcome, int People, bool Unchanged,
    DateTime? TestedAt, DateTime? ReleasedAt, int RetestOrders, int CaseCandidates);

/// <summary>A lab's desk: its boxes received recently and the tubes still waiting for a result.</summary>
public sealed record LabDesk(LabDto Lab, int TubesAwaitingResult, IReadOnlyList<ReceivedBox> RecentBoxes);

public sealed record ReceivedBox(string Code, string SiteName, int Tubes, int Resulted, DateTime? ReceivedAt);

/// <summary>
/// The lab's side (检测机构): single result entry and the desks of the labs a user works for. Decision: a lab technician
/// may enter results for any tube received by a lab inside their jurisdiction (the staff model has no lab per user; the
/// jurisdiction of a lab account is the area its labs serve). Results are released at once (结果早知道).
/// </summary>
public sealed class LabService(IDbContextFactory<CordonDbContext> factory, CurrentUser user, CityTime time, IOptions<TestingOptions> options, ScreeningEvents events)
{
    /// <summary>Clocks of lab instruments and phones drift; a few minutes ahead is not "in the future".</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<LabDesk>> DesksAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var labs = await db.Labs.AsNoTracking().WhereStartsWith(l => l.AreaCode, user.JurisdictionPrefix).OrderBy(l => l.Id)
            .Select(l => new LabDto(l.Id, l.Name, l.AreaCode, l.Address)).ToListAsync(ct);
        var desks = new List<LabDesk>();
        foreach (var lab in labs)
        {
            var awaiting = await db.Tubes.CountAsync(t => t.Status == TubeStatus.Received && db.TransportBoxes.Any(b => b.Id == t.BoxId && b.LabId == lab.Id), ct);
            var boxes = await db.TransportBoxes.AsNoTracking().Where(b => b.LabId == lab.Id && b.Status == BoxStatus.Received)
                .OrderByDescending(b => b.ReceivedAt).Take(20)
                .Select(b => new ReceivedBox(
                    b.Code,
                    db.SamplingSites.Where(s => s.Id == b.SiteId).Select(s => s.Name).FirstOrDefault() ?? "",
                    db.Tubes.Count(t => t.BoxId == b.Id && t.Status != TubeStatus.Voided),
                    db.Tubes.Count(t => t.BoxId == b.Id && t.Status == TubeStatus.Resulted),
                    b.ReceivedAt))
                .ToListAsync(ct);
            desks.Add(new LabDesk(lab, awaiting, boxes));
        }
        return desks;
    }

    /// <summary>
    /// Enters the result of one received tube and releases it. Entering the same result again changes nothing
    /// (reported as unchanged); a different result for a tube that already has one is refused.
    /// </summary>
    public async Task<Outcome<ResultEntryDto>> EnterResultAsync(string barcode, ResultInput input, CancellationToken ct = default)
    {
        var now = time.UtcNow;
        var errors = new FieldErrors();
        if (input.Result is null or TubeResult.Pending) errors.Add("result", "must be Negative, Positive or Invalid");
        if (input.Ct is { } ctValue && !PoolRules.IsPlausibleCt(ctValue)) errors.Add("ct", "must be a Ct value above 0 and at most 50");
        DateTime? testedAt = input.TestedAt is { } given ? ToUtc(given) : null;
        if (testedAt > now + ClockSkew) errors.Add("testedAt", "must not be in the future");
        if (errors.Any) return Outcome<ResultEntryDto>.Invalid(errors);
        var result = input.Result!.Value;
        var storedCt = result == TubeResult.Positive ? input.Ct : null;

        await using var db = await factory.CreateDbContextAsync(ct);
        var code = TubeCode.Normalize(barcode);
        var tube = await db.Tubes.AsNoTracking().Where(t => t.Barcode == code).Select(t => new
        {
            t.Id,
            t.Barcode,
            t.PoolSize,
            t.Status,
            t.Result,
            t.CtValue,
            t.ReceivedAt,
            t.TestedAt,
            t.ReleasedAt,
            t.RetestOfTubeId,
            LabArea = db.TransportBoxes.Where(b => b.Id == t.BoxId).Join(db.Labs, b => b.LabId, l => l.Id, (b, l) => l.AreaCode).FirstOrDefault(),
            People = db.TubeMembers.Count(m => m.TubeId == t.Id),
        }).FirstOrDefaultAsync(ct);
        // A tube no lab of this user's has received is not theirs to see.
        if (tube is null || tube.ReceivedAt is null || tube.LabArea is null || !user.CanSee(tube.LabArea)) return Outcome<ResultEntryDto>.NotFound();
        var outcome = PoolRules.OutcomeFor(result, tube.PoolSize);
        if (tube.Status == TubeStatus.Resulted)
        {
            if (tube.Result == result && SameCt(tube.CtValue, storedCt))
                return Outcome<ResultEntryDto>.Ok(new ResultEntryDto(tube.Barcode, result, tube.CtValue, outcome, tube.People, true, tube.TestedAt, tube.ReleasedAt, 0, 0));
            return Outcome<ResultEntryDto>.Conflict($"Tube {tube.Barcode} already has the result {Describe(tube.Result, tube.CtValue)}; a released result is not overwritten.");
        }
        if (tube.Status != TubeStatus.Received) return Outcome<ResultEntryDto>.Conflict($"Tube {tube.Barcode} is {tube.Status.ToString().ToLowerInvariant()}: it takes no result.");
        if (testedAt < tube.ReceivedAt) return Outcome<ResultEntryDto>.Invalid("testedAt", "must not be before the tube was received");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var applied = await ResultWriter.ApplyAsync(db, [new TubeResultToApply(tube.Id, tube.PoolSize, result, storedCt, tube.RetestOfTubeId is not null)],
            testedAt ?? now, now, TimeSpan.FromHours(options.Value.RetestDeadlineHours), ct);
        if (applied is null) return Outcome<ResultEntryDto>.Conflict($"Tube {tube.Barcode} got a result a moment ago; reload it.");
        // The writer bypasses the change tracker; the audit trail gets its entry here.
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            UserId = user.Id,
            UserName = user.UserName,
            Action = AuditAction.Update,
            Entity = nameof(Tube),
            EntityKey = tube.Id.ToString(CultureInfo.InvariantCulture),
            Details = "Status,Result,CtValue,TestedAt,ReleasedAt",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        events.RaiseResultsReleased(new ResultsReleased([tube.Id], now));
        return Outcome<ResultEntryDto>.Ok(new ResultEntryDto(tube.Barcode, result, storedCt, outcome, tube.People, false, testedAt ?? now, now,
            applied.RetestOrders, applied.CaseCandidates));
    }

    private DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => time.ToUtc(value),
    };

    internal static bool SameCt(double? a, double? b) => a is null ? b is null : b is not null && Math.Abs(a.Value - b.Value) < 1e-9;

    internal static string Describe(TubeResult result, double? ct) =>
        ct is { } value ? $"{result} (Ct {value.ToString(CultureInfo.InvariantCulture)})" : result.ToString();
}
