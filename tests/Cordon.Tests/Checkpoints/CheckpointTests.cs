using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Cordon.Features.Checkpoints;
using Cordon.Features.Health;
using Cordon.Features.Passes;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Health;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reasons = Cordon.Features.Checkpoints.CheckpointRules.Reasons;

namespace Cordon.Tests.Checkpoints;

/// <summary>The checkpoint chain: a result or a round changes the stored status, the pass carries it, the checkpoint decides.</summary>
public abstract class CheckpointTests(CordonApp app) : AppTests(app)
{
    [SkippableFact]
    public async Task A_released_negative_result_turns_the_resident_green_and_the_checkpoint_lets_them_in()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var checkpoint = await App.DemoCheckpoint();
        checkpoint.RequiredTestHours.ShouldBe(48);
        using var worker = await App.ClientFor("worker");

        // Green but never tested: the 48-hour rule of the gate turns them back.
        var before = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: await App.PassOf(person)));
        before.Decision.ShouldBe(PassageDecision.Denied);
        before.Reason.ShouldBe(Reasons.NoTest);

        await App.ReleaseNegative([person]);
        await App.StatusWhen(person.ResidentId, s => s.LastNegativeSampledAt is not null, "tested negative");
        var allowed = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: await App.PassOf(person)));
        allowed.Decision.ShouldBe(PassageDecision.Allowed);
        allowed.Reason.ShouldBe(Reasons.Ok);
        allowed.Colour.ShouldBe(HealthColour.Green);
        allowed.TestAgeHours!.Value.ShouldBeLessThan(1);
        allowed.MaskedName.ShouldNotBeNull().ShouldContain("*");

        // Typed ID number: the same answer, with only the minimum.
        var found = await worker.LookupOk(checkpoint.Id, person.IdNumber);
        found.Colour.ShouldBe(HealthColour.Green);
        found.Popups.ShouldBeEmpty();
        found.TestAgeHours!.Value.ShouldBeLessThan(1);
        found.MaskedName.ShouldContain("*");
        var byId = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(residentId: found.Reference));
        byId.Decision.ShouldBe(PassageDecision.Allowed);

        var log = await worker.Log(checkpoint.Id);
        log.Where(p => p.Id == allowed.Id || p.Id == byId.Id).ShouldAllBe(p => p.Decision == PassageDecision.Allowed && p.MaskedName == allowed.MaskedName);
        log.Single(p => p.Id == before.Id).Reason.ShouldBe(Reasons.NoTest);
    }

    [SkippableFact]
    public async Task Untested_in_an_open_round_the_resident_gets_a_popup_and_the_checkpoint_turns_them_back_with_the_reason()
    {
        var building = await App.NewBuilding();
        var person = (await App.RegisterPeople(1, building)).Single();
        await App.OpenRound(ScreeningKit.Round(building));
        await App.StatusWhen(person.ResidentId, s => s.Popups.Any(p => p.Kind == PopupKind.ScreeningRound), "shown a round popup");

        var checkpoint = await App.DemoCheckpoint();
        using var worker = await App.ClientFor("worker");
        var found = await worker.LookupOk(checkpoint.Id, person.IdNumber);
        found.Popups.ShouldHaveSingleItem().Kind.ShouldBe(PopupKind.ScreeningRound);

        var byPass = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: await App.PassOf(person)));
        byPass.Decision.ShouldBe(PassageDecision.Denied);
        byPass.Reason.ShouldBe(Reasons.Popup);
        byPass.Popups.ShouldBe(1);
        var byId = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(residentId: found.Reference));
        byId.Reason.ShouldBe(Reasons.Popup);
        // Leaving to get tested is allowed.
        var leaving = await worker.RecordOk(checkpoint.Id, new PassageInput(Guid.NewGuid(), PassageDirection.Out, ResidentId: found.Reference));
        leaving.Decision.ShouldBe(PassageDecision.Allowed);
    }

    [SkippableFact]
    public async Task A_fever_is_flagged_and_denied_and_an_impossible_temperature_is_refused_without_recording_anything()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var checkpoint = await App.NewCheckpoint(testHours: null);
        using var worker = await App.ClientFor("worker");
        var pass = await App.PassOf(person);

        var fever = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: pass, temperature: 38.1));
        fever.Decision.ShouldBe(PassageDecision.Denied);
        fever.Reason.ShouldBe(Reasons.Fever);
        fever.Fever.ShouldBeTrue();
        var justBelow = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: pass, temperature: 37.2));
        justBelow.Decision.ShouldBe(PassageDecision.Allowed);

        foreach (var bad in new[] { 45.0, 20.0 })
        {
            var response = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/passages", CheckpointKit.Entering(pass: pass, temperature: bad), Json.Options);
            await response.ShouldBeValidationProblem("temperature");
        }
        var noTemperature = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/passages",
            new PassageInput(Guid.NewGuid(), PassageDirection.In, Pass: pass), Json.Options);
        await noTemperature.ShouldBeValidationProblem("temperature");
        (await worker.Log(checkpoint.Id)).Count.ShouldBe(2);
    }

    [SkippableFact]
    public async Task A_forged_an_altered_or_a_garbled_pass_is_denied_and_never_shown_green()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var checkpoint = await App.NewCheckpoint(testHours: null);
        using var worker = await App.ClientFor("worker");
        var genuine = await App.PassOf(person);
        (await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: genuine))).Decision.ShouldBe(PassageDecision.Allowed);

        // Signed with a key of the forger's own, under the id of the published key.
        var content = PassFormat.Parse(genuine, out _)!.Content;
        using var forgerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = PassFormat.Sign(content with { ExpiresAt = content.ExpiresAt.AddMinutes(30) }, forgerKey);
        // The genuine text with one character of the payload changed.
        var parts = genuine.Split('.');
        var altered = parts[0] + "." + (parts[1][5] == 'A' ? parts[1][..5] + "B" + parts[1][6..] : parts[1][..5] + "A" + parts[1][6..]) + "." + parts[2];

        foreach (var text in new[] { forged, altered, "CDP1.not-a-pass", "hello" })
        {
            var result = await worker.RecordOk(checkpoint.Id, CheckpointKit.Entering(pass: text));
            result.Decision.ShouldBe(PassageDecision.Denied, text);
            result.Reason.ShouldBe(Reasons.PassInvalid, text);
            result.Colour.ShouldBeNull();
            result.MaskedName.ShouldBeNull();
        }
        var log = await worker.Log(checkpoint.Id);
        log.Count(p => p.Reason == Reasons.PassInvalid).ShouldBe(4);
        log.Where(p => p.Reason == Reasons.PassInvalid).ShouldAllBe(p => p.Colour == null && p.MaskedName == "");
    }

    [SkippableFact]
    public async Task A_batch_sent_again_after_an_outage_is_stored_once()
    {
        var people = await App.RegisterPeople(3);
        var checkpoint = await App.NewCheckpoint(testHours: null);
        using var worker = await App.ClientFor("worker");
        var offlineSince = DateTime.UtcNow.AddMinutes(-20);
        var batch = new PassageBatchInput(people.Select((p, i) => CheckpointKit.Entering(residentId: p.ResidentId) with { At = offlineSince.AddMinutes(i) })
            .Append(new PassageInput(Guid.NewGuid(), PassageDirection.Out, ResidentId: people[0].ResidentId, At: offlineSince.AddMinutes(5)))
            .ToList());

        var first = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/passages/batch", batch, Json.Options);
        await first.ShouldHaveStatus(HttpStatusCode.OK);
        var stored = await first.ReadAs<PassageBatchResult>();
        stored.Stored.ShouldBe(4);
        stored.Duplicates.ShouldBe(0);

        var again = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/passages/batch", batch, Json.Options);
        var resent = await again.ReadAs<PassageBatchResult>();
        resent.Stored.ShouldBe(0);
        resent.Duplicates.ShouldBe(4);
        resent.Passages.Select(p => p.Id).ShouldBe(stored.Passages.Select(p => p.Id));

        var log = await worker.Log(checkpoint.Id);
        log.Count.ShouldBe(4);
        log.Min(p => p.At).ShouldBe(offlineSince, TimeSpan.FromSeconds(1));
        var hourly = await worker.GetFromJsonAsync<HourlyCounts>($"/api/v1/checkpoints/{checkpoint.Id}/passages/hourly", Json.Options);
        hourly!.In.ShouldBe(3);
        hourly.Out.ShouldBe(1);
        hourly.Hours.Sum(h => h.In + h.Out).ShouldBe(4);

        // One bad passage rejects the whole batch, naming it, and stores nothing.
        var bad = new PassageBatchInput([CheckpointKit.Entering(residentId: people[0].ResidentId), CheckpointKit.Entering(residentId: people[1].ResidentId, temperature: 50)]);
        var rejected = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/passages/batch", bad, Json.Options);
        await rejected.ShouldBeValidationProblem("passages[1].temperature");
        (await worker.Log(checkpoint.Id)).Count.ShouldBe(4);
    }

    [SkippableFact]
    public async Task Staff_work_only_the_checkpoints_and_residents_of_their_jurisdiction()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var ownGate = await App.DemoCheckpoint();
        var otherGate = await App.DemoCheckpoint(CordonApp.CommunityB, "worker2");
        using var worker2 = await App.ClientFor("worker2");

        (await worker2.GetAsync($"/api/v1/checkpoints/{ownGate.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var foreign = await worker2.PostAsJsonAsync($"/api/v1/checkpoints/{ownGate.Id}/passages", CheckpointKit.Entering(residentId: person.ResidentId), Json.Options);
        foreign.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // A resident of community A is unknown at community B's gate when typed by ID number.
        var lookup = await worker2.PostAsJsonAsync($"/api/v1/checkpoints/{otherGate.Id}/lookup", new LookupInput(person.IdNumber), Json.Options);
        lookup.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var byReference = await worker2.PostAsJsonAsync($"/api/v1/checkpoints/{otherGate.Id}/passages", CheckpointKit.Entering(residentId: person.ResidentId), Json.Options);
        await byReference.ShouldBeValidationProblem("residentId");
        var create = await worker2.PostAsJsonAsync("/api/v1/checkpoints", new CheckpointInput(CordonApp.CommunityA, "越权卡口"), Json.Options);
        await create.ShouldBeValidationProblem("areaCode");

        // A commander supervises (reads the summary and logs) but does not staff a gate.
        using var commander = await App.ClientFor("commander");
        var summary = await commander.GetFromJsonAsync<CheckpointsSummary>("/api/v1/checkpoints/summary?area=990102001", Json.Options);
        summary!.Checkpoints.ShouldContain(c => c.CheckpointId == ownGate.Id);
        summary.Checkpoints.ShouldContain(c => c.CheckpointId == otherGate.Id);
        summary.Checkpoints.ShouldAllBe(c => c.AreaCode.StartsWith("990102001", StringComparison.Ordinal));
        var record = await commander.PostAsJsonAsync($"/api/v1/checkpoints/{ownGate.Id}/passages", CheckpointKit.Entering(residentId: person.ResidentId), Json.Options);
        record.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var worker = await App.ClientFor("worker");
        var own = await worker.GetFromJsonAsync<CheckpointsSummary>("/api/v1/checkpoints/summary", Json.Options);
        own!.Checkpoints.ShouldAllBe(c => c.AreaCode == CordonApp.CommunityA);
    }

    [SkippableFact]
    public async Task An_outsider_is_registered_with_purpose_and_phone_and_their_passage_is_logged_masked()
    {
        var checkpoint = await App.NewCheckpoint(testHours: 72);
        using var worker = await App.ClientFor("worker");
        var response = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/outsiders",
            new OutsiderInput("王小明", "13812345678", OutsiderPurpose.Courier, "顺丰"), Json.Options);
        await response.ShouldHaveStatus(HttpStatusCode.Created);
        var outsider = await response.ReadAs<OutsiderDto>();
        outsider.MaskedName.ShouldBe("王*明");
        outsider.MaskedPhone.ShouldBe("138****5678");

        var passage = await worker.RecordOk(checkpoint.Id,
            new PassageInput(Guid.NewGuid(), PassageDirection.In, 36.6, IdChecked: true, OutsiderId: outsider.Id, Colour: HealthColour.Green, TestAgeHours: 30));
        passage.Decision.ShouldBe(PassageDecision.Allowed);
        var stale = await worker.RecordOk(checkpoint.Id,
            new PassageInput(Guid.NewGuid(), PassageDirection.In, 36.6, OutsiderId: outsider.Id, Colour: HealthColour.Green, TestAgeHours: 80));
        stale.Reason.ShouldBe(Reasons.TestTooOld);
        var entry = (await worker.Log(checkpoint.Id)).Single(p => p.Id == passage.Id);
        entry.Source.ShouldBe(PassageSource.Outsider);
        entry.MaskedName.ShouldBe("王*明");

        var missing = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/outsiders", new OutsiderInput("", "12", null), Json.Options);
        await missing.ShouldBeValidationProblem("name", "phone", "purpose");
    }

    [SkippableFact]
    public async Task Passages_and_outsiders_older_than_the_retention_period_are_deleted_and_recent_ones_kept()
    {
        var checkpoint = await App.NewCheckpoint();
        using var worker = await App.ClientFor("worker");
        var response = await worker.PostAsJsonAsync($"/api/v1/checkpoints/{checkpoint.Id}/outsiders",
            new OutsiderInput("李四", "13900001111", OutsiderPurpose.FoodDelivery), Json.Options);
        var outsider = await response.ReadAs<OutsiderDto>();
        var recent = await worker.RecordOk(checkpoint.Id, new PassageInput(Guid.NewGuid(), PassageDirection.Out, OutsiderId: outsider.Id, Colour: HealthColour.Green));

        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var old = DateTime.UtcNow.AddDays(-29);
        var oldOutsider = new Outsider
        {
            CheckpointId = checkpoint.Id,
            AreaCode = checkpoint.AreaCode,
            Name = "赵六",
            Phone = "13700002222",
            Purpose = OutsiderPurpose.Visit,
            RegisteredAt = old,
            RegisteredBy = "worker",
        };
        db.Outsiders.Add(oldOutsider);
        await db.SaveChangesAsync();
        db.Passages.Add(new Passage
        {
            ClientId = Guid.NewGuid(),
            CheckpointId = checkpoint.Id,
            AreaCode = checkpoint.AreaCode,
            Source = PassageSource.Outsider,
            OutsiderId = oldOutsider.Id,
            At = old,
            Direction = PassageDirection.In,
            Temperature = 36.5,
            Decision = PassageDecision.Allowed,
            Reason = Reasons.Ok,
            RecordedBy = "worker",
            ReceivedAt = old,
        });
        await db.SaveChangesAsync();

        var (passages, outsiders) = await PassageRetention.PurgeAsync(db, DateTime.UtcNow.AddDays(-28));
        passages.ShouldBeGreaterThanOrEqualTo(1);
        outsiders.ShouldBeGreaterThanOrEqualTo(1);
        (await db.Outsiders.AnyAsync(o => o.Id == oldOutsider.Id)).ShouldBeFalse();
        (await db.Outsiders.AnyAsync(o => o.Id == outsider.Id)).ShouldBeTrue();
        (await db.Passages.Where(p => p.CheckpointId == checkpoint.Id).Select(p => p.Id).ToListAsync()).ShouldBe([recent.Id]);
    }
}

public sealed class CheckpointTestsOnSqlite(SqliteApp app) : CheckpointTests(app), IClassFixture<SqliteApp>;

public sealed class CheckpointTestsOnPostgres(PostgresApp app) : CheckpointTests(app), IClassFixture<PostgresApp>;
