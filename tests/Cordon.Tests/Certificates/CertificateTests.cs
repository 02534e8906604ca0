using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Cordon.Features.Certificates;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Tests.Support;
using Cordon.Tests.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cordon.Tests.Certificates;

/// <summary>
/// On each database: a resident's released negative result becomes an EU DCC test certificate that any verifier
/// (our public endpoint, or anyone with our published signer certificate) accepts; without a negative result there is
/// no certificate, and the resident is told why.
/// </summary>
public abstract class CertificateTests(CordonApp app) : AppTests(app)
{
    private async Task<(Person Person, HttpClient Resident)> TestedNegative()
    {
        var person = (await App.RegisterPeople(1))[0];
        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Negative)).ShouldHaveStatus(HttpStatusCode.OK);
        return (person, await App.ResidentClient(person));
    }

    [SkippableFact]
    public async Task A_negative_result_becomes_a_certificate_that_verifies_with_the_published_trust_list()
    {
        var (_, resident) = await TestedNegative();
        using var signedIn = resident;

        var response = await resident.PostAsync("/api/v1/me/certificates", null);

        await response.ShouldHaveStatus(HttpStatusCode.OK);
        var issued = await response.ReadAs<IssuedCertificate>();
        issued.Qr.ShouldStartWith("HC1:");
        issued.CertificateId.ShouldStartWith("URN:UVCI:01:CN:");
        (issued.ExpiresAt - issued.SampledAt).ShouldBe(TimeSpan.FromHours(72), TimeSpan.FromSeconds(1));
        (issued.Content.Kind, issued.Content.TestType, issued.Content.Result).ShouldBe(("test", "NAAT", "not detected"));
        issued.Content.MaskedName.ShouldStartWith("测");
        issued.Content.MaskedName.ShouldContain("*");

        using var anyone = App.Anonymous();
        var verified = await (await anyone.PostAsJsonAsync("/api/v1/certificates/verify", new { qr = issued.Qr })).ReadAs<DccVerification>();
        (verified.Valid, verified.Stage).ShouldBe((true, "ok"), verified.Reason);
        verified.Content!.CertificateId.ShouldBe(issued.CertificateId);

        // Another verifier takes our signer certificate from the trust list and checks offline, at any instant.
        var trustList = await anyone.GetFromJsonAsync<List<TrustedSigner>>("/api/v1/certificates/trust-list", Json.Options);
        var ours = trustList.ShouldNotBeNull().Where(s => s.Own).ShouldHaveSingleItem();
        var trust = DccTrustList.TryParse([ours.Certificate], out _)!;
        DccVerifier.Verify(issued.Qr, trust, issued.IssuedAt.AddHours(1)).Valid.ShouldBeTrue();
        var late = DccVerifier.Verify(issued.Qr, trust, issued.ExpiresAt);
        (late.Valid, late.Stage).ShouldBe((false, "expiry"));
    }

    [SkippableFact]
    public async Task A_resident_without_a_released_result_gets_no_certificate_and_is_told_why()
    {
        var person = (await App.RegisterPeople(1))[0];
        using var resident = await App.ResidentClient(person);

        var problem = await (await resident.PostAsync("/api/v1/me/certificates", null)).ShouldBeProblem(HttpStatusCode.Conflict);

        problem.GetProperty("detail").GetString()!.ShouldContain("no released test result");
    }

    [SkippableFact]
    public async Task A_positive_result_after_a_negative_one_withdraws_the_certificate()
    {
        var (person, resident) = await TestedNegative();
        using var signedIn = resident;
        var tube = await App.SampleTube(1, [person]);
        await App.DeliverToLab(await App.FirstLab(), tube.Barcode);
        await (await App.EnterResult(tube.Barcode, TubeResult.Positive, 25.1)).ShouldHaveStatus(HttpStatusCode.OK);

        var problem = await (await resident.PostAsync("/api/v1/me/certificates", null)).ShouldBeProblem(HttpStatusCode.Conflict);

        problem.GetProperty("detail").GetString()!.ShouldContain("not negative");
    }

    [SkippableFact]
    public async Task A_negative_result_older_than_the_validity_gives_no_certificate()
    {
        var (person, resident) = await TestedNegative();
        resident.Dispose();
        var service = ServiceAt(person, DateTimeOffset.UtcNow.AddHours(73));

        var outcome = await service.IssueMineAsync();

        outcome.Kind.ShouldBe(Cordon.Infrastructure.Web.OutcomeKind.Conflict);
        outcome.Message!.ShouldContain("more than 72 hours ago");
        (await ServiceAt(person, DateTimeOffset.UtcNow.AddHours(71)).IssueMineAsync()).IsOk.ShouldBeTrue();
    }

    [SkippableFact]
    public async Task The_signer_key_is_created_once_and_kept_encrypted()
    {
        var (_, resident) = await TestedNegative();
        using var signedIn = resident;
        await (await resident.PostAsync("/api/v1/me/certificates", null)).ShouldHaveStatus(HttpStatusCode.OK);
        await (await resident.PostAsync("/api/v1/me/certificates", null)).ShouldHaveStatus(HttpStatusCode.OK);

        await using var scope = App.Services.CreateAsyncScope();

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CordonDbContext>>().CreateDbContextAsync();
        var signer = (await db.CertificateSigners.ToListAsync()).ShouldHaveSingleItem();
        var key = App.Services.GetRequiredService<PersonalDataProtector>().Decrypt(signer.PrivateKeyCipher);
        key.ShouldStartWith("MIG"); // a base64 PKCS#8 EC key
        signer.PrivateKeyCipher.ShouldNotContain(key[..24]);
    }

    [SkippableFact]
    public async Task Verifying_with_a_trust_list_that_is_not_certificates_names_the_field()
    {
        using var anyone = App.Anonymous();

        var response = await anyone.PostAsJsonAsync("/api/v1/certificates/verify", new { qr = "HC1:ABC", trust = new[] { "bm90IGEgY2VydA==" } });

        (await response.ShouldBeValidationProblem("trust"))["trust"][0].ShouldContain("trust[0]");
        var missing = await anyone.PostAsJsonAsync("/api/v1/certificates/verify", new { trust = Array.Empty<string>() });
        await missing.ShouldBeValidationProblem("qr");
        var forged = await (await anyone.PostAsJsonAsync("/api/v1/certificates/verify", new { qr = "HC1:ABCD" })).ReadAs<DccVerification>();
        (forged.Valid, forged.Stage, forged.Content).ShouldBe((false, "base45", null));
    }

    private CertificateService ServiceAt(Person person, DateTimeOffset now)
    {
        var services = App.Services.CreateScope().ServiceProvider;
        var user = new CurrentUser
        {
            Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(CurrentUser.ResidentIdClaim, person.ResidentId.ToString(System.Globalization.CultureInfo.InvariantCulture))], "test")),
        };
        return new CertificateService(services.GetRequiredService<IDbContextFactory<CordonDbContext>>(), user,
            services.GetRequiredService<CertificateSignerStore>(), new FixedClock(now), services.GetRequiredService<IOptions<CertificateOptions>>());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

public sealed class CertificateTestsOnSqlite(SqliteApp app) : CertificateTests(app), IClassFixture<SqliteApp>;

public sealed class CertificateTestsOnPostgres(PostgresApp app) : CertificateTests(app), IClassFixture<PostgresApp>;
