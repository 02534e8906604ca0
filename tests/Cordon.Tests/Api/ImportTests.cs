using System.Net;
using System.Text;
using Cordon.Features.Registry;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>
/// Importing residents from a CSV file: all or nothing by default, the valid rows only on request, idempotent on
/// re-send, and a file that is not CSV (or lacks columns) refused as a whole.
/// </summary>
public abstract class ImportTests(CordonApp app) : AppTests(app)
{
    private async Task<HttpResponseMessage> ImportAsync(string csv, bool validOnly = false)
    {
        using var worker = await App.ClientFor("worker");
        return await worker.PostAsync($"/api/v1/residents/import{(validOnly ? "?validOnly=true" : "")}", TestData.CsvFile(csv));
    }

    private static ResidentInput[] ThreeRowsWithABadSecond(out ResidentInput bad)
    {
        var rows = new[] { TestData.Resident(CordonApp.BuildingA), TestData.Resident("990102001001002"), TestData.Resident("990102001001003") };
        var id = rows[1].IdNumber!;
        rows[1] = bad = rows[1] with { IdNumber = id[..17] + (id[17] == '1' ? '2' : '1') };
        return rows;
    }

    [SkippableFact]
    public async Task A_file_with_one_bad_row_is_refused_naming_row_and_field_and_imports_nothing()
    {
        var rows = ThreeRowsWithABadSecond(out _);

        var response = await ImportAsync(TestData.ResidentsCsv(rows));

        // Rows are numbered like a spreadsheet: the header is row 1, so the second resident is row 3.
        var errors = await response.ShouldBeValidationProblem("rows[3].idNumber");
        errors["rows[3].idNumber"].ShouldHaveSingleItem().ShouldContain("check digit");
        (await App.SearchAll("worker", rows[0].IdNumber!)).ShouldBeEmpty();
        (await App.SearchAll("worker", rows[2].IdNumber!)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Asking_for_the_valid_rows_only_imports_them_and_reports_the_bad_ones()
    {
        var rows = ThreeRowsWithABadSecond(out var bad);

        var response = await ImportAsync(TestData.ResidentsCsv(rows), validOnly: true);

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var report = await response.ReadAs<ImportReport>();
        (report.Rows, report.Created, report.Updated, report.Unchanged, report.Rejected).ShouldBe((3, 2, 0, 0, 1));
        var error = report.Errors.ShouldHaveSingleItem();
        (error.Row, error.Field).ShouldBe((3, "idNumber"));
        error.Message.ShouldNotContain(bad.IdNumber!);
        (await App.SearchAll("worker", rows[0].IdNumber!)).Count.ShouldBe(1);
        (await App.SearchAll("worker", rows[2].IdNumber!)).Count.ShouldBe(1);
    }

    [SkippableFact]
    public async Task Sending_the_same_file_again_changes_nothing_and_duplicates_nobody()
    {
        var phonePrefix = TestData.NewPhonePrefix();
        var rows = Enumerable.Range(0, 3).Select(i => TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + i)).ToArray();
        var csv = TestData.ResidentsCsv(rows);

        var first = await (await ImportAsync(csv)).ReadAs<ImportReport>();
        var second = await ImportAsync(csv);

        (first.Created, first.Unchanged).ShouldBe((3, 0));
        await second.ShouldHaveStatus(HttpStatusCode.OK);
        var report = await second.ReadAs<ImportReport>();
        (report.Rows, report.Created, report.Updated, report.Unchanged, report.Rejected).ShouldBe((3, 0, 0, 3, 0));
        (await App.SearchAll("worker", phonePrefix)).Count.ShouldBe(3);
    }

    [SkippableFact]
    public async Task The_same_file_sent_several_times_at_once_imports_each_resident_once_and_never_fails_with_500()
    {
        // A client that times out on a large file and retries while the first upload is still being saved.
        var phonePrefix = TestData.NewPhonePrefix();
        var csv = TestData.ResidentsCsv(Enumerable.Range(0, 5).Select(i => TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + i)).ToArray());

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ImportAsync(csv)));

        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            // The ones that lost the race say so and may simply be sent again.
            await response.ShouldBeProblem(HttpStatusCode.Conflict);
        }
        var reports = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(r => r.ReadAs<ImportReport>()));
        reports.ShouldNotBeEmpty();
        reports.Sum(r => r.Created).ShouldBe(5);
        (await App.SearchAll("worker", phonePrefix)).Count.ShouldBe(5);
        var again = await (await ImportAsync(csv)).ReadAs<ImportReport>();
        (again.Created, again.Unchanged).ShouldBe((0, 5));
    }

    [SkippableFact]
    public async Task A_corrected_row_in_a_re_sent_file_updates_the_resident_it_names()
    {
        var phonePrefix = TestData.NewPhonePrefix();
        var rows = new[] { TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + "1"), TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + "2") };
        await (await ImportAsync(TestData.ResidentsCsv(rows))).ShouldHaveStatus(HttpStatusCode.OK);

        rows[1] = rows[1] with { Room = "1203", AreaCode = "990102001001002" };
        var report = await (await ImportAsync(TestData.ResidentsCsv(rows))).ReadAs<ImportReport>();

        (report.Created, report.Updated, report.Unchanged).ShouldBe((0, 1, 1));
        var found = await App.SearchAll("worker", phonePrefix);
        found.Count.ShouldBe(2);
        found.Single(r => r.Phone.EndsWith('2')).AreaCode.ShouldBe("990102001001002");
    }

    [SkippableFact]
    public async Task The_same_person_twice_in_one_file_is_refused_at_the_second_row()
    {
        var once = TestData.Resident(CordonApp.BuildingA);
        var twice = once with { Name = once.Name + "二", Phone = TestData.NewPhone() };

        var response = await ImportAsync(TestData.ResidentsCsv(once, twice));

        (await response.ShouldBeValidationProblem("rows[3].idNumber"))["rows[3].idNumber"][0].ShouldContain("row 2");
        (await App.SearchAll("worker", once.IdNumber!)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_spreadsheet_export_with_bom_crlf_and_quoted_commas_imports()
    {
        var resident = TestData.Resident(CordonApp.BuildingA) with { Household = "H01,H02", KeyGroup = KeyGroup.Courier };
        var csv = "\uFEFF" + TestData.ResidentsCsv(resident).Replace("\n", "\r\n", StringComparison.Ordinal);
        csv.ShouldContain("\"H01,H02\"");

        var response = await ImportAsync(csv);

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        (await response.ReadAs<ImportReport>()).Created.ShouldBe(1);
        var found = (await App.SearchAll("worker", resident.IdNumber!)).ShouldHaveSingleItem();
        found.KeyGroup.ShouldBe(KeyGroup.Courier);
        using var worker = await App.ClientFor("worker");
        var detail = await (await worker.GetAsync($"/api/v1/residents/{found.Id}")).ReadAs<ResidentDetail>();
        detail.Household.ShouldBe("H01,H02");
    }

    [SkippableFact]
    public async Task A_file_that_is_not_valid_csv_is_refused_as_a_whole()
    {
        var good = TestData.Resident(CordonApp.BuildingA);
        var csv = TestData.ResidentsCsv(good) + $"\"{TestData.NewNamePrefix()},{TestData.NewIdNumber()},{TestData.NewPhone()},{CordonApp.BuildingA},,,,\n";

        var response = await ImportAsync(csv);

        (await response.ShouldBeValidationProblem("file"))["file"][0].ShouldContain("row 3");
        (await App.SearchAll("worker", good.IdNumber!)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task A_file_without_the_required_columns_is_refused_naming_them()
    {
        var good = TestData.Resident(CordonApp.BuildingA);
        var csv = $"name,phone,areaCode\n{good.Name},{good.Phone},{good.AreaCode}\n";

        var response = await ImportAsync(csv);

        (await response.ShouldBeValidationProblem("file"))["file"][0].ShouldContain("idNumber");
        (await App.SearchAll("worker", good.Phone!)).ShouldBeEmpty();
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("name,idNumber,phone,areaCode\n")]
    public async Task An_empty_file_or_a_header_without_rows_is_refused(string csv)
    {
        await (await ImportAsync(csv)).ShouldBeValidationProblem("file");
    }

    [SkippableFact]
    public async Task A_row_with_more_fields_than_the_header_is_refused()
    {
        var good = TestData.Resident(CordonApp.BuildingA);
        var csv = $"name,idNumber,phone,areaCode\n{good.Name},{good.IdNumber},{good.Phone},{good.AreaCode},extra\n";

        await (await ImportAsync(csv)).ShouldBeValidationProblem("file");
        (await App.SearchAll("worker", good.IdNumber!)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Only_registry_editors_may_import()
    {
        using var commander = await App.ClientFor("commander");
        var response = await commander.PostAsync("/api/v1/residents/import", TestData.CsvFile(TestData.ResidentsCsv(TestData.Resident(CordonApp.BuildingA))));
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task An_upload_without_a_file_is_refused_with_problem_details()
    {
        using var worker = await App.ClientFor("worker");
        var response = await worker.PostAsync("/api/v1/residents/import", new StringContent("name,idNumber\n", Encoding.UTF8, "text/csv"));
        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        await response.ShouldBeProblem(response.StatusCode);
    }
}

public sealed class ImportTestsOnSqlite(SqliteApp app) : ImportTests(app), IClassFixture<SqliteApp>;

public sealed class ImportTestsOnPostgres(PostgresApp app) : ImportTests(app), IClassFixture<PostgresApp>;
