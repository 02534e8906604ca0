using System.Security.Cryptography.X509Certificates;
using Cordon.Features.Identity;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Features.Certificates;

/// <summary>One certificate of the trust list: its kid, base64 DER, subject and validity; <c>own</c> for our signers.</summary>
public sealed record TrustedSigner(string Kid, string Certificate, string Subject, DateTime NotBefore, DateTime NotAfter, bool Own);

public static class CertificatesServices
{
    public static WebApplicationBuilder AddCertificates(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CertificateOptions>().BindConfiguration(CertificateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CertificateSignerCache>();
        builder.Services.AddScoped<CertificateSignerStore>();
        builder.Services.AddScoped<CertificateService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCertificatesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/me/certificates", IssueMine).WithTags("Resident: certificates").RequireAuthorization(Policies.Resident)
            .WithName("IssueMyTestCertificate")
            .WithSummary("Issue your negative-test certificate (EU DCC test entry, HC1 QR text) from your latest negative result; 409 when there is none or it is too old");
        var certificates = app.MapGroup("/api/v1/certificates").WithTags("Certificates");
        // A certificate is shown to whoever must check it (a venue, a border, a traveller): verifying it and reading our
        // public signer certificates are public, like the EU DCC verifier apps; both are pure and change nothing.
        certificates.MapPost("/verify", Verify).AllowAnonymous().WithName("VerifyCertificate")
            .WithSummary("Verify an HC1 certificate: stage reached, reason, valid (authentic and within its validity) and its masked content");
        certificates.MapGet("/trust-list", TrustList).AllowAnonymous().WithName("CertificateTrustList")
            .WithSummary("The trusted signer certificates (base64 DER X.509, with kid): ours and the configured other issuers'");
        return app;
    }

    private static async Task<Results<Ok<IssuedCertificate>, ValidationProblem, NotFound, ProblemHttpResult>> IssueMine(CertificateService service, CancellationToken ct) =>
        (await service.IssueMineAsync(ct)).ToHttp();

    private static async Task<Results<Ok<DccVerification>, ValidationProblem, NotFound, ProblemHttpResult>> Verify(CertificateService service, VerifyRequest request, CancellationToken ct) =>
        (await service.VerifyAsync(request, ct)).ToHttp();

    private static async Task<Ok<IReadOnlyList<TrustedSigner>>> TrustList(CertificateSignerStore store, CancellationToken ct)
    {
        var own = (await store.OwnCertificatesAsync(ct)).Select(c => c.Thumbprint).ToHashSet();
        var trust = await store.TrustListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<TrustedSigner>>(trust.Certificates.Select(c => Describe(c, own.Contains(c.Thumbprint))).ToList());
    }

    private static TrustedSigner Describe(X509Certificate2 certificate, bool own) => new(
        Convert.ToBase64String(CoseSign1Message.KeyIdOf(certificate)), Convert.ToBase64String(certificate.RawData), certificate.Subject,
        certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), own);
}
