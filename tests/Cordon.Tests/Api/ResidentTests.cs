using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cordon.Features.Audit;
using Cordon.Features.Registry;
using Cordon.Infrastructure.Web;
using Cordon.Tests.Support;

namespace Cordon.Tests.Api;

/// <summary>The resident registry through the API: search (masked, paged), unmasking with a reason, and bad input.</summary>
public abstract class ResidentTests(CordonApp app) : AppTests(app)
{
    private static string Search(string? q = null, int limit = 20, string? after = null, string? area = null) =>
        $"/api/v1/residents?limit={limit}"
        + (q is null ? "" : "&q=" + Uri.EscapeDataString(q))
        + (after is null ? "" : "&after=" + after)
        + (area is null ? "" : "&area=" + area);

    [SkippableFact]
    public async Task Searching_by_name_prefix_finds_the_residents_with_their_personal_data_masked()
    {
        var prefix = TestData.NewNamePrefix();
        var inputs = new[] { prefix + "明", prefix + "华", prefix + "欧阳建国" }
            .Select(name => TestData.Resident(CordonApp.BuildingA, name)).ToArray();
        foreach (var input in inputs) await App.CreateResident("worker", input);

        using var worker = await App.ClientFor("worker");
        var page = await worker.GetFromJsonAsync<Page<ResidentSummary>>(Search(prefix), Json.Options);

        page!.Items.Count.ShouldBe(3);
        page.NextCursor.ShouldBeNull();
        var text = await worker.GetStringAsync(Search(prefix));
        foreach (var input in inputs)
        {
            text.ShouldNotContain(input.Name!);
            text.ShouldNotContain(input.IdNumber!);
            text.ShouldNotContain(input.Phone!);
        }
        foreach (var r in page.Items)
        {
            r.Name.ShouldStartWith("测");
            r.Name.ShouldContain('*');
            r.IdNumber.ShouldMatch(@"^110\*{11}\d{3}[\dX]$");
            r.Phone.ShouldMatch(@"^166\*{4}\d{4}$");
        }
    }

    [SkippableFact]
    public async Task Searching_by_phone_prefix_finds_exactly_the_residents_with_that_prefix()
    {
        var phonePrefix = TestData.NewPhonePrefix();
        var first = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + "1"));
        var second = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, phone: phonePrefix + "2"));
        await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA));

        var found = await App.SearchAll("worker", phonePrefix);

        found.Select(r => r.Id).Order().ShouldBe([first.Id, second.Id]);
    }

    [SkippableFact]
    public async Task Searching_by_the_full_id_number_finds_that_one_resident_in_upper_or_lower_case()
    {
        var idNumber = TestData.NewIdNumberEndingInX();
        var created = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, idNumber: idNumber));

        (await App.SearchAll("worker", idNumber)).Select(r => r.Id).ShouldBe([created.Id]);
        (await App.SearchAll("worker", idNumber.ToLowerInvariant())).Select(r => r.Id).ShouldBe([created.Id]);
        (await App.SearchAll("commander", idNumber)).Select(r => r.Id).ShouldBe([created.Id]);
    }

    [SkippableFact]
    public async Task A_name_beginning_with_a_rare_character_beyond_the_basic_plane_is_found_by_that_character()
    {
        // U+203FF is a surrogate pair ending in \uDFFF: the prefix range must not end in half a character.
        var rare = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, "\U000203FF" + TestData.NewTag()));
        var next = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, "\U00020400" + TestData.NewTag()));

        (await App.SearchAll("worker", "\U000203FF")).Select(r => r.Id).ShouldBe([rare.Id]);
        (await App.SearchAll("worker", "\U00020400")).Select(r => r.Id).ShouldBe([next.Id]);
    }

    [SkippableFact]
    public async Task Name_search_pages_follow_the_cursor_without_repeating_or_losing_anyone_even_with_equal_names()
    {
        var prefix = TestData.NewNamePrefix();
        // Two residents share one full name: the cursor must tell them apart.
        var names = new[] { "甲", "乙", "乙", "丙", "丁", "戊", "己" }.Select(n => prefix + n).ToArray();
        var ids = new List<long>();
        foreach (var name in names) ids.Add((await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA, name))).Id);

        using var worker = await App.ClientFor("worker");
        var pages = new List<Page<ResidentSummary>>();
        string? after = null;
        do
        {
            var page = (await worker.GetFromJsonAsync<Page<ResidentSummary>>(Search(prefix, limit: 3, after: after), Json.Options))!;
            pages.Add(page);
            after = page.NextCursor;
        }
        while (after is not null && pages.Count < 10);

        pages.Select(p => p.Items.Count).ShouldBe([3, 3, 1]);
        var seen = pages.SelectMany(p => p.Items.Select(r => r.Id)).ToList();
        seen.ShouldBeUnique();
        seen.Order().ShouldBe(ids.Order());
        foreach (var cursor in pages.Select(p => p.NextCursor).OfType<string>()) cursor.ShouldNotContain(prefix);
    }

    [SkippableFact]
    public async Task Browsing_without_a_query_pages_through_the_jurisdiction_in_disjoint_pages()
    {
        using var commander = await App.ClientFor("commander");
        var first = (await commander.GetFromJsonAsync<Page<ResidentSummary>>(Search(limit: 50), Json.Options))!;
        var second = (await commander.GetFromJsonAsync<Page<ResidentSummary>>(Search(limit: 50, after: first.NextCursor), Json.Options))!;
        var third = (await commander.GetFromJsonAsync<Page<ResidentSummary>>(Search(limit: 50, after: second.NextCursor), Json.Options))!;

        foreach (var page in new[] { first, second, third })
        {
            page.Items.Count.ShouldBe(50);
            page.NextCursor.ShouldNotBeNull();
        }
        var ids = first.Items.Concat(second.Items).Concat(third.Items).Select(r => r.Id).ToList();
        ids.ShouldBeUnique();
        ids.ShouldBe(ids.Order().ToList(), "pages continue where the previous one ended");
    }

    [SkippableFact]
    public async Task A_cursor_that_is_not_from_a_previous_page_is_refused()
    {
        using var worker = await App.ClientFor("worker");
        await (await worker.GetAsync(Search("测试", after: "张三"))).ShouldBeValidationProblem("after");
        await (await worker.GetAsync(Search(limit: 101))).ShouldBeValidationProblem("limit");
    }

    [SkippableFact]
    public async Task Unmasking_without_a_reason_is_refused_and_shows_nothing()
    {
        var resident = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA));
        using var worker = await App.ClientFor("worker");

        foreach (var body in new object[] { new { }, new { reason = "" }, new { reason = "   " } })
        {
            var response = await worker.PostAsJsonAsync($"/api/v1/residents/{resident.Id}/unmask", body);
            await response.ShouldBeValidationProblem("reason");
        }
        (await AuditOf(resident.Id, AuditAction.ReadPersonalData)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task Unmasking_with_a_reason_shows_the_full_data_and_the_audit_log_records_who_and_why()
    {
        var input = TestData.Resident(CordonApp.BuildingA);
        var resident = await App.CreateResident("worker", input);
        using var worker = await App.ClientFor("worker");

        var response = await worker.PostAsJsonAsync($"/api/v1/residents/{resident.Id}/unmask", new { reason = "核对隔离人员身份" });

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var data = await response.ReadAs<ResidentPersonalData>();
        data.IdNumber.ShouldBe(input.IdNumber);
        data.Name.ShouldBe(input.Name);
        data.Phone.ShouldBe(input.Phone);
        data.Room.ShouldBe(input.Room);
        var entry = (await AuditOf(resident.Id, AuditAction.ReadPersonalData)).ShouldHaveSingleItem();
        entry.UserName.ShouldBe("worker");
        entry.Entity.ShouldBe(nameof(Resident));
        entry.Details.ShouldNotBeNull().ShouldContain("核对隔离人员身份");
        entry.Details.ShouldNotContain(input.IdNumber!);
    }

    [SkippableFact]
    public async Task A_role_that_may_not_unmask_gets_404_and_nothing_is_audited()
    {
        var resident = await App.CreateResident("worker", TestData.Resident(CordonApp.BuildingA));
        using var inspector = await App.ClientFor("inspector");

        var response = await inspector.PostAsJsonAsync($"/api/v1/residents/{resident.Id}/unmask", new { reason = "督导检查" });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await AuditOf(resident.Id, AuditAction.ReadPersonalData)).ShouldBeEmpty();
    }

    [SkippableFact]
    public async Task One_resident_reads_masked_and_can_be_updated_and_removed()
    {
        var input = TestData.Resident(CordonApp.BuildingA);
        var created = await App.CreateResident("worker", input);
        using var worker = await App.ClientFor("worker");

        var detail = (await worker.GetFromJsonAsync<ResidentDetail>($"/api/v1/residents/{created.Id}", Json.Options))!;
        detail.Name.ShouldBe(Mask.Name(input.Name!));
        detail.IdNumber.ShouldBe(Mask.IdNumber(input.IdNumber!));
        detail.Room.ShouldBe("***");
        detail.AreaCode.ShouldBe(CordonApp.BuildingA);

        var newPhone = TestData.NewPhone();
        var update = await worker.PutAsJsonAsync($"/api/v1/residents/{created.Id}", input with { Phone = newPhone, AreaCode = "990102001001002" }, Json.Options);
        await update.ShouldHaveStatus(HttpStatusCode.OK);
        var updated = await update.ReadAs<ResidentDetail>();
        updated.Phone.ShouldBe(Mask.Phone(newPhone));
        updated.AreaCode.ShouldBe("990102001001002");
        (await App.SearchAll("worker", newPhone)).Select(r => r.Id).ShouldBe([created.Id]);

        (await worker.DeleteAsync($"/api/v1/residents/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await worker.GetAsync($"/api/v1/residents/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await App.SearchAll("worker", input.IdNumber!)).ShouldBeEmpty();
    }

    public static TheoryData<string, string> InvalidInputs => new()
    {
        { "idNumber", "wrong check digit" },
        { "idNumber", "impossible birth date" },
        { "idNumber", "17 characters" },
        { "phone", "letters" },
        { "phone", "full-width digits" },
        { "areaCode", "unknown area" },
        { "areaCode", "not an area code" },
        { "name", "51 characters" },
        { "name", "blank" },
        { "room", "11 characters" },
    };

    [SkippableTheory]
    [MemberData(nameof(InvalidInputs))]
    public async Task Invalid_input_is_refused_naming_the_field_and_registers_nobody(string field, string problem)
    {
        var valid = TestData.Resident(CordonApp.BuildingA);
        var input = problem switch
        {
            "wrong check digit" => valid with { IdNumber = valid.IdNumber![..17] + (valid.IdNumber[17] == '0' ? '1' : '0') },
            "impossible birth date" => valid with { IdNumber = "110105199902300015" },
            "17 characters" => valid with { IdNumber = valid.IdNumber![..17] },
            "letters" => valid with { Phone = "1380013800A" },
            "full-width digits" => valid with { Phone = "13８００１３８０００" },
            "unknown area" => valid with { AreaCode = "990102001001999" },
            "not an area code" => valid with { AreaCode = "99010200100" },
            "51 characters" => valid with { Name = new string('张', 51) },
            "blank" => valid with { Name = "  " },
            "11 characters" => valid with { Room = "12345678901" },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var before = (await App.SearchAll("worker", "")).Count;
        using var worker = await App.ClientFor("worker");

        var response = await worker.PostAsJsonAsync("/api/v1/residents", input, Json.Options);

        await response.ShouldBeValidationProblem(field);
        (await App.SearchAll("worker", "")).Count.ShouldBe(before);
    }

    [SkippableFact]
    public async Task An_id_number_that_is_already_registered_is_refused()
    {
        var first = TestData.Resident(CordonApp.BuildingA);
        await App.CreateResident("worker", first);
        using var worker = await App.ClientFor("worker");

        var again = await worker.PostAsJsonAsync("/api/v1/residents", TestData.Resident("990102001001002", idNumber: first.IdNumber), Json.Options);
        await again.ShouldBeValidationProblem("idNumber");
        // The same person typed in lower case or with spaces is still the same person.
        var lower = await worker.PostAsJsonAsync("/api/v1/residents", TestData.Resident(CordonApp.BuildingA, idNumber: " " + first.IdNumber!.ToLowerInvariant() + " "), Json.Options);
        await lower.ShouldBeValidationProblem("idNumber");

        (await App.SearchAll("worker", first.IdNumber!)).Count.ShouldBe(1);
    }

    [SkippableFact]
    public async Task A_body_that_is_not_json_is_refused_with_problem_details()
    {
        using var worker = await App.ClientFor("worker");
        var before = (await App.SearchAll("worker", "")).Count;

        var plain = await worker.PostAsync("/api/v1/residents", new StringContent("name=张三", Encoding.UTF8, "text/plain"));
        ((int)plain.StatusCode).ShouldBeInRange(400, 499);
        await plain.ShouldBeProblem(plain.StatusCode);

        // The 400 names where the body went wrong (in production too, not only in Development).
        var malformed = await worker.PostAsync("/api/v1/residents", new StringContent("{\"name\": \"张三\", \"idNumber\": ", Encoding.UTF8, "application/json"));
        await malformed.ShouldBeValidationProblem("idNumber");

        var wrongType = await worker.PostAsync("/api/v1/residents", new StringContent("{\"name\": [1, 2]}", Encoding.UTF8, "application/json"));
        (await wrongType.ShouldBeValidationProblem("name"))["name"].ShouldHaveSingleItem().ShouldNotContain("[1, 2]");

        // An empty body is a missing body, said in the API's words rather than the framework's parameter names.
        var empty = await worker.PostAsync("/api/v1/residents", new StringContent("", Encoding.UTF8, "application/json"));
        (await empty.ShouldBeValidationProblem("body"))["body"].ShouldBe(["is required: send a JSON object"]);

        (await App.SearchAll("worker", "")).Count.ShouldBe(before);
    }

    private async Task<IReadOnlyList<AuditEntryDto>> AuditOf(long residentId, AuditAction action)
    {
        using var admin = await App.ClientFor("admin");
        var page = await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?entity=Resident&key={residentId}&action={action}", Json.Options);
        return page!.Items;
    }
}

public sealed class ResidentTestsOnSqlite(SqliteApp app) : ResidentTests(app), IClassFixture<SqliteApp>;

public sealed class ResidentTestsOnPostgres(PostgresApp app) : ResidentTests(app), IClassFixture<PostgresApp>;
