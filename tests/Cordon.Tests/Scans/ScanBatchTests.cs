using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cordon.Features.Health;
using Cordon.Features.Identity;
using Cordon.Features.Registry;
using Cordon.Features.Scans;
using Cordon.Infrastructure.Data;
using Cordon.Tests.Checkpoints;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cordon.Tests.Scans;

/// <summary>
/// A venue terminal uploads what it scanned (ID cards and passes, also after being offline): each scan is decided from
/// the person's stored status and the venue's rule and stored once, however often the batch is sent; a bad scan is
/// refused on its own, with the field and the reason; a forged pass is never recorded.
/// </summary>
public abstract class ScanBatchTests(CordonApp app) : AppTests(app)
{
    private async Task<HttpClient> Terminal(string community = CordonApp.CommunityA) =>
        await App.ClientFor((await App.CreateUser(Roles.VenueTerminal, community)).UserName);

    private static string At(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static ScanBatchItemInput ById(Person person, DateTime? at = null) =>
        new(Guid.NewGuid().ToString(), At(at ?? DateTime.UtcNow.AddMinutes(-3)), person.IdNumber);

    private static Task<HttpResponseMessage> Upload(HttpClient terminal, string venueCode, IReadOnlyList<ScanBatchItemInput> items) =>
        terminal.PostAsJsonAsync("/api/v1/scans/batch", new ScanBatchInput(venueCode, items), Json.Options);

    private static async Task<ScanBatchResult> UploadOk(HttpClient terminal, string venueCode, IReadOnlyList<ScanBatchItemInput> items)
    {
        var response = await Upload(terminal, venueCode, items);
        await response.ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadAs<ScanBatchResult>();
    }

    private async Task<int> StoredAt(int venueId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        return await db.Scans.CountAsync(s => s.VenueId == venueId);
    }

    [SkippableFact]
    public async Task A_terminals_batch_is_recorded_with_each_persons_decision_and_a_resent_batch_is_stored_once_with_the_same_answers()
    {
        var people = await App.RegisterPeople(3);
        var supermarket = await App.NewVenue(VenueCategory.Supermarket);
        var office = await App.NewVenue(VenueCategory.Office);
        using var terminal = await Terminal();
        var pass = await App.PassOf(people[2]);
        // Scanned while offline an hour ago (ID cards), and one pass just now.
        var items = new List<ScanBatchItemInput>
        {
            ById(people[0], DateTime.UtcNow.AddHours(-1)),
            ById(people[1], DateTime.UtcNow.AddMinutes(-50)),
            new(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture), Pass: pass),
        };

        var first = await UploadOk(terminal, supermarket.VenueCode, items);

        (first.VenueId, first.Recorded, first.AlreadyRecorded, first.Rejected).ShouldBe((supermarket.Id, 3, 0, 0));
        first.Items.Select(i => (i.Index, i.Outcome, i.Decision, i.Reason, i.Colour)).ShouldBe(
            Enumerable.Range(0, 3).Select(i => (i, ScanItemOutcome.Recorded, (ScanDecision?)ScanDecision.Allowed, (ScanReason?)ScanReason.Ok, (HealthColour?)HealthColour.Green)));
        first.Items[0].ScannedAt!.Value.ShouldBe(DateTime.UtcNow.AddHours(-1), TimeSpan.FromMinutes(1));
        (await StoredAt(supermarket.Id)).ShouldBe(3);
        using (var resident = await App.ResidentClient(people[0]))
            (await resident.MyScans()).ShouldHaveSingleItem().VenueId.ShouldBe(supermarket.Id);

        // The terminal did not get the answer and sends the batch again: nothing is doubled, the answers are the first ones.
        var again = await UploadOk(terminal, supermarket.VenueCode, items);
        (again.Recorded, again.AlreadyRecorded, again.Rejected).ShouldBe((0, 3, 0));
        again.Items.Select(i => (i.ClientId, i.Decision, i.Reason, i.ScannedAt)).ShouldBe(first.Items.Select(i => (i.ClientId, i.Decision, i.Reason, i.ScannedAt)));
        (await StoredAt(supermarket.Id)).ShouldBe(3);

        // An office asks for a negative test within 48 hours: the same people are not let in there.
        var atOffice = await UploadOk(terminal, office.VenueCode, [ById(people[0]), ById(people[1])]);
        atOffice.Items.ShouldAllBe(i => i.Decision == ScanDecision.NotAllowed && i.Reason == ScanReason.NoRecentNegativeTest);
    }

    [SkippableFact]
    public async Task A_bad_scan_is_refused_on_its_own_naming_the_field_and_the_good_ones_are_recorded()
    {
        var people = await App.RegisterPeople(2);
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        using var terminal = await Terminal();
        var good = ById(people[0]);
        var now = DateTime.UtcNow;
        var items = new List<ScanBatchItemInput>
        {
            good,
            good with { IdNumber = people[1].IdNumber },                                   // 1: the same client id twice
            new(null, At(now), people[1].IdNumber),                                          // 2: no client id
            new("not-a-uuid", At(now), people[1].IdNumber),                                  // 3
            new(Guid.NewGuid().ToString(), At(now.AddHours(1)), people[1].IdNumber),         // 4: in the future
            new(Guid.NewGuid().ToString(), At(now.AddDays(-40)), people[1].IdNumber),        // 5: past the retention
            new(Guid.NewGuid().ToString(), "2026-12-01 08:30:00", people[1].IdNumber),        // 6: no offset
            new(Guid.NewGuid().ToString(), At(now), people[1].IdNumber[..17] + (people[1].IdNumber[17] == '0' ? '1' : '0')), // 7: check digit
            new(Guid.NewGuid().ToString(), At(now), TestData.NewIdNumber()),                 // 8: nobody registered
            new(Guid.NewGuid().ToString(), At(now)),                                         // 9: no person at all
            new(Guid.NewGuid().ToString(), At(now), people[1].IdNumber, await App.PassOf(people[0])), // 10: someone else's pass
        };

        var result = await UploadOk(terminal, venue.VenueCode, items);

        (result.Recorded, result.Rejected).ShouldBe((1, 10));
        result.Items[0].Outcome.ShouldBe(ScanItemOutcome.Recorded);
        var expected = new[] { "clientId", "clientId", "clientId", "scannedAt", "scannedAt", "scannedAt", "idNumber", "idNumber", "idNumber", "pass" };
        for (var i = 1; i < items.Count; i++)
        {
            var item = result.Items[i];
            (item.Index, item.Outcome, item.Decision).ShouldBe((i, ScanItemOutcome.Rejected, (ScanDecision?)null), $"item {i}");
            item.Errors!.Keys.ShouldBe([expected[i - 1]], $"item {i}");
        }
        result.Items[1].Errors!["clientId"].ShouldBe(["appears more than once in this batch"]);
        result.Items[8].Errors!["idNumber"].ShouldBe(["no registered resident has this ID number"]);
        (await StoredAt(venue.Id)).ShouldBe(1);

        // What refuses the whole batch: no venue code, no scans, too many scans.
        await (await Upload(terminal, "", [good])).ShouldBeValidationProblem("venueCode");
        await (await Upload(terminal, venue.VenueCode, [])).ShouldBeValidationProblem("items");
        await (await Upload(terminal, venue.VenueCode, Enumerable.Range(0, ScanBatchService.MaxItems + 1).Select(_ => ById(people[0])).ToList()))
            .ShouldBeValidationProblem("items");
        (await StoredAt(venue.Id)).ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_forged_or_not_yet_valid_pass_is_refused_and_never_recorded()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        using var terminal = await Terminal();
        var pass = await App.PassOf(person);
        var payload = pass.Split('.')[1];
        // The same signature over a changed payload (another resident, or another colour), and a flipped signature.
        var forgedPayload = pass.Replace(payload, payload[..^2] + (payload[^2] == 'A' ? "B" : "A") + payload[^1]);
        var forgedSignature = pass[..^3] + (pass[^3] == 'A' ? "B" : "A") + pass[^2..];

        var result = await UploadOk(terminal, venue.VenueCode,
        [
            new(Guid.NewGuid().ToString(), At(DateTime.UtcNow), Pass: forgedPayload),
            new(Guid.NewGuid().ToString(), At(DateTime.UtcNow), Pass: forgedSignature),
            new(Guid.NewGuid().ToString(), At(DateTime.UtcNow), Pass: "CDP1.garbage"),
            // Scanned (so the terminal says) half an hour before the pass was issued.
            new(Guid.NewGuid().ToString(), At(DateTime.UtcNow.AddMinutes(-30)), Pass: pass),
        ]);

        (result.Recorded, result.Rejected).ShouldBe((0, 4));
        result.Items.ShouldAllBe(i => i.Outcome == ScanItemOutcome.Rejected && i.Decision == null && i.Errors!.ContainsKey("pass"));
        result.Items[3].Errors!["pass"].ShouldHaveSingleItem().ShouldStartWith("not-yet-valid");
        (await StoredAt(venue.Id)).ShouldBe(0);
    }

    [SkippableFact]
    public async Task Only_terminals_and_staff_of_the_venues_jurisdiction_may_upload_and_an_unknown_venue_is_a_404()
    {
        var person = (await App.RegisterPeople(1)).Single();
        var venue = await App.NewVenue(VenueCategory.Supermarket);
        using var terminal = await Terminal();

        var unknown = await (await Upload(terminal, "VZZZZZZZZZZ", [ById(person)])).ShouldBeProblem(HttpStatusCode.NotFound);
        unknown.GetProperty("detail").GetString()!.ShouldContain("Nothing was recorded");
        // A terminal of the neighbouring community does not see the venue.
        using var otherTerminal = await Terminal(CordonApp.CommunityB);
        await (await Upload(otherTerminal, venue.VenueCode, [ById(person)])).ShouldBeProblem(HttpStatusCode.NotFound);
        // A resident, and staff whose work is not venues, may not upload at all.
        using var resident = await App.ResidentClient(person);
        await (await Upload(resident, venue.VenueCode, [ById(person)])).ShouldHaveStatus(HttpStatusCode.Forbidden);
        using var lab = await App.ClientFor("lab");
        await (await Upload(lab, venue.VenueCode, [ById(person)])).ShouldHaveStatus(HttpStatusCode.Forbidden);
        // A terminal is a device, not staff: it reads no venue's check-ins.
        await (await terminal.GetAsync($"/api/v1/venues/{venue.Id}/scans")).ShouldHaveStatus(HttpStatusCode.Forbidden);
        (await StoredAt(venue.Id)).ShouldBe(0);

        // The community worker uploading a terminal's export is allowed.
        using var worker = await App.ClientFor("worker");
        (await UploadOk(worker, venue.VenueCode, [ById(person)])).Recorded.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Two_identical_batches_sent_at_once_are_stored_once_and_answered_alike()
    {
        var people = await App.RegisterPeople(20);
        var venue = await App.NewVenue(VenueCategory.Restaurant);
        using var terminal = await Terminal();
        using var again = await Terminal();
        var items = people.Select(p => ById(p)).ToList();

        var both = await Task.WhenAll(UploadOk(terminal, venue.VenueCode, items), UploadOk(again, venue.VenueCode, items));

        (await StoredAt(venue.Id)).ShouldBe(20);
        (both[0].Recorded + both[1].Recorded).ShouldBe(20);
        (both[0].AlreadyRecorded + both[1].AlreadyRecorded).ShouldBe(20);
        both[0].Items.Select(i => (i.ClientId, i.Decision, i.Reason)).ShouldBe(both[1].Items.Select(i => (i.ClientId, i.Decision, i.Reason)));
        both[0].Items.ShouldAllBe(i => i.Reason == ScanReason.NoRecentNegativeTest);
    }
}

public sealed class ScanBatchTestsOnSqlite(SqliteApp app) : ScanBatchTests(app), IClassFixture<SqliteApp>;

public sealed class ScanBatchTestsOnPostgres(PostgresApp app) : ScanBatchTests(app), IClassFixture<PostgresApp>;
