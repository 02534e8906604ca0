using System.Security.Claims;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cordon.Features.Identity;

public static class IdentityServices
{
    /// <summary>The scheme that serves both: a bearer token when the request carries one, the cookie otherwise.</summary>
    public const string CookieOrBearer = "CookieOrBearer";

    public static WebApplicationBuilder AddCordonIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearer;
                o.DefaultChallengeScheme = CookieOrBearer;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(CookieOrBearer, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(8))
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(ConfigureCookie));
        builder.Services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme)
            .PostConfigure(o => o.BearerTokenProtector = new BearerTicketCache(o.BearerTokenProtector));

        builder.Services.AddIdentityCore<CordonUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
                o.Stores.SchemaVersion = IdentitySchemaVersions.Version2;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<CordonDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<CordonClaimsPrincipalFactory>();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.Staff))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.RegistryEditor, p => p.RequireRole(Roles.RegistryEditors))
            .AddPolicy(Policies.Resident, p => p.RequireRole(Roles.Resident))
            .AddPolicy(Policies.Sampling, p => p.RequireRole(Roles.SamplingStaff, Roles.Admin))
            .AddPolicy(Policies.Lab, p => p.RequireRole(Roles.LabTechnician, Roles.Admin))
            .AddPolicy(Policies.TestingManager, p => p.RequireRole(Roles.Commander, Roles.Admin))
            .AddPolicy(Policies.HealthCorrection, p => p.RequireRole(Roles.Epidemiologist, Roles.Commander, Roles.Admin))
            .AddPolicy(Policies.Checkpoint, p => p.RequireRole(Roles.CommunityWorker, Roles.Admin))
            .AddPolicy(Policies.VenueTerminal, p => p.RequireRole(Roles.VenueTerminal, Roles.CommunityWorker, Roles.Inspector, Roles.Admin));
        builder.Services.AddScoped<UserAdministration>();
        builder.Services.AddScoped<LoginAudit>();
        return builder;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie)
    {
        cookie.LoginPath = "/login";
        cookie.LogoutPath = "/logout";
        cookie.AccessDeniedPath = "/access-denied";
        cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
        cookie.SlidingExpiration = true;
        cookie.Cookie.Name = "cordon.auth";
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        // An API client gets a status code, not a redirect to the login page.
        cookie.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
        cookie.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
    }

    private static Task StatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api")) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

public static class Policies
{
    public const string Staff = nameof(Staff);
    public const string Admin = nameof(Admin);
    public const string RegistryEditor = nameof(RegistryEditor);
    public const string Resident = nameof(Resident);
    /// <summary>Scan tubes and personal codes, box tubes, hand boxes over (采样人员).</summary>
    public const string Sampling = nameof(Sampling);
    /// <summary>Receive boxes, enter and import results (检测机构).</summary>
    public const string Lab = nameof(Lab);
    /// <summary>Manage sampling sites and open/close screening rounds (指挥部).</summary>
    public const string TestingManager = nameof(TestingManager);
    /// <summary>Look up anyone's health status in the jurisdiction and correct it with a reason and an expiry (纠错).</summary>
    public const string HealthCorrection = nameof(HealthCorrection);
    /// <summary>Staff a community checkpoint (卡口值守): verify passes, record passages and outsiders.</summary>
    public const string Checkpoint = nameof(Checkpoint);
    /// <summary>Upload a venue's scans (a venue terminal, or staff with its export) for venues of the jurisdiction (ADR 015).</summary>
    public const string VenueTerminal = nameof(VenueTerminal);
}

/// <summary>Puts the jurisdiction into the principal so every query can filter by it without a lookup.</summary>
public sealed class CordonClaimsPrincipalFactory(
    Microsoft.AspNetCore.Identity.UserManager<CordonUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<CordonUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(CordonUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(CurrentUser.JurisdictionCodeClaim, user.JurisdictionCode));
        identity.AddClaim(new Claim(CurrentUser.JurisdictionPrefixClaim, user.JurisdictionPrefix));
        identity.AddClaim(new Claim("cordon:display_name", user.DisplayName));
        if (user.ResidentId is { } residentId) identity.AddClaim(new Claim(CurrentUser.ResidentIdClaim, residentId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return identity;
    }
}
