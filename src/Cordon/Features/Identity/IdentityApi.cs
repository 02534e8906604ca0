using System.Security.Claims;
using Cordon.Features.Audit;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Cordon.Features.Identity;

public sealed record TokenRequest(string? UserName, string? Password, string? TwoFactorCode);

public sealed record MeDto(string Id, string UserName, string DisplayName, string[] Roles, string JurisdictionCode, long? ResidentId);

public sealed record TwoFactorSetup(bool Enabled, string SharedKey, string AuthenticatorUri);

public sealed record TwoFactorCode(string? Code);

public sealed record PasswordInput(string? Password);

public static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Authentication");
        auth.MapPost("/token", IssueToken).AllowAnonymous()
            .WithSummary("Exchange user name and password (and a TOTP code when two-factor is on) for a bearer token");
        auth.MapGet("/me", Me).RequireAuthorization().WithSummary("Who the token or cookie belongs to");
        auth.MapGet("/2fa", GetTwoFactor).RequireAuthorization().WithSummary("The authenticator key to set up two-factor sign-in");
        auth.MapPost("/2fa/enable", EnableTwoFactor).RequireAuthorization().WithSummary("Turn on two-factor sign-in by confirming a code from the authenticator app");
        auth.MapPost("/2fa/disable", DisableTwoFactor).RequireAuthorization().WithSummary("Turn off two-factor sign-in");

        var users = app.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", (UserAdministration admin, string? role, CancellationToken ct) => admin.ListAsync(role, ct)).WithSummary("Users inside your jurisdiction");
        users.MapPost("/", async Task<Results<Created<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>> (UserAdministration admin, UserInput input, CancellationToken ct) =>
            (await admin.CreateAsync(input, ct: ct)).ToCreated(u => $"/api/v1/users/{u.Id}")).WithSummary("Create a user with a role and a jurisdiction");
        users.MapPost("/{id}/lock", async Task<Results<Ok<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>> (UserAdministration admin, string id, CancellationToken ct) =>
            (await admin.SetLockedAsync(id, true, ct)).ToHttp()).WithSummary("Lock a user out");
        users.MapPost("/{id}/unlock", async Task<Results<Ok<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>> (UserAdministration admin, string id, CancellationToken ct) =>
            (await admin.SetLockedAsync(id, false, ct)).ToHttp()).WithSummary("Unlock a user");
        users.MapPost("/{id}/password", async Task<Results<Ok<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>> (UserAdministration admin, string id, PasswordInput input, CancellationToken ct) =>
            (await admin.ResetPasswordAsync(id, input.Password, ct)).ToHttp()).WithSummary("Set a new password for a user");
        return app;
    }

    private static async Task<Results<Ok<AccessTokenResponse>, EmptyHttpResult, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest request, SignInManager<CordonUser> signIn, LoginAudit audit)
    {
        var errors = new FieldErrors();
        errors.Require("userName", request.UserName, 256);
        errors.Require("password", request.Password, 256);
        if (errors.Any) return TypedResults.ValidationProblem(errors.ToDictionary());

        var user = await signIn.UserManager.FindByNameAsync(request.UserName!);
        if (user is null) return Unauthorized();
        var check = await signIn.CheckPasswordSignInAsync(user, request.Password!, lockoutOnFailure: true);
        if (check.IsLockedOut) return TypedResults.Problem("Too many failed attempts; the account is locked for a while.", statusCode: 423, title: "Locked out");
        if (!check.Succeeded)
        {
            await audit.RecordAsync(user, success: false);
            return Unauthorized();
        }
        if (user.TwoFactorEnabled)
        {
            if (string.IsNullOrWhiteSpace(request.TwoFactorCode))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["twoFactorCode"] = ["is required: two-factor sign-in is on for this account"] });
            var code = request.TwoFactorCode.Replace(" ", "", StringComparison.Ordinal);
            if (!await signIn.UserManager.VerifyTwoFactorTokenAsync(user, signIn.UserManager.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                await signIn.UserManager.AccessFailedAsync(user);
                await audit.RecordAsync(user, success: false);
                return Unauthorized();
            }
        }
        await audit.RecordAsync(user, success: true);
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        await signIn.SignInAsync(user, isPersistent: false);
        return TypedResults.Empty; // the bearer handler has written the token response
    }

    private static ProblemHttpResult Unauthorized() =>
        TypedResults.Problem("The user name or password is wrong.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");

    private static async Task<Results<Ok<MeDto>, NotFound>> Me(ClaimsPrincipal principal, UserManager<CordonUser> users)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null) return TypedResults.NotFound();
        var roles = (await users.GetRolesAsync(user)).ToArray();
        return TypedResults.Ok(new MeDto(user.Id, user.UserName!, user.DisplayName, roles, user.JurisdictionCode, user.ResidentId));
    }

    private static async Task<Results<Ok<TwoFactorSetup>, NotFound>> GetTwoFactor(ClaimsPrincipal principal, UserManager<CordonUser> users)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null) return TypedResults.NotFound();
        return TypedResults.Ok(await TwoFactor.SetupAsync(users, user));
    }

    private static async Task<Results<Ok<TwoFactorSetup>, ValidationProblem, NotFound>> EnableTwoFactor(
        ClaimsPrincipal principal, UserManager<CordonUser> users, TwoFactorCode input)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null) return TypedResults.NotFound();
        if (!await TwoFactor.EnableAsync(users, user, input.Code))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["is not the current code of your authenticator app"] });
        return TypedResults.Ok(await TwoFactor.SetupAsync(users, user));
    }

    private static async Task<Results<Ok<TwoFactorSetup>, NotFound>> DisableTwoFactor(ClaimsPrincipal principal, UserManager<CordonUser> users)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null) return TypedResults.NotFound();
        await users.SetTwoFactorEnabledAsync(user, false);
        return TypedResults.Ok(await TwoFactor.SetupAsync(users, user));
    }
}

/// <summary>TOTP (RFC 6238) two-factor sign-in with any authenticator app.</summary>
public static class TwoFactor
{
    public static async Task<TwoFactorSetup> SetupAsync(UserManager<CordonUser> users, CordonUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        var uri = $"otpauth://totp/Cordon:{Uri.EscapeDataString(user.UserName!)}?secret={key}&issuer=Cordon&digits=6";
        return new TwoFactorSetup(user.TwoFactorEnabled, key!, uri);
    }

    public static async Task<bool> EnableAsync(UserManager<CordonUser> users, CordonUser user, string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return false;
        var ok = await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code.Replace(" ", "", StringComparison.Ordinal));
        if (ok) await users.SetTwoFactorEnabledAsync(user, true);
        return ok;
    }
}

/// <summary>Sign-ins and failed attempts go to the audit log (who, when); passwords never do.</summary>
public sealed class LoginAudit(Infrastructure.Data.CordonDbContext db, TimeProvider clock)
{
    public async Task RecordAsync(CordonUser user, bool success)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            UserId = user.Id,
            UserName = user.UserName,
            Action = success ? AuditAction.Login : AuditAction.LoginFailed,
            Entity = nameof(CordonUser),
            EntityKey = user.Id,
        });
        await db.SaveChangesAsync();
    }
}
