using System.Security.Claims;
using Cordon.Features.Identity;
using Cordon.Features.Registry;

namespace Cordon.Infrastructure.Security;

/// <summary>
/// The signed-in user of the current request, set by middleware from HttpContext so that services,
/// query filters and the audit interceptor see the same person whether an API call or a page asked.
/// </summary>
public sealed class CurrentUser
{
    public const string JurisdictionPrefixClaim = "cordon:jurisdiction_prefix";
    public const string JurisdictionCodeClaim = "cordon:jurisdiction";
    public const string ResidentIdClaim = "cordon:resident";

    public ClaimsPrincipal Principal { get; set; } = new(new ClaimsIdentity());

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;
    public string? Id => Principal.FindFirstValue(ClaimTypes.NameIdentifier);
    public string? UserName => Principal.Identity?.Name;
    public bool IsInRole(string role) => Principal.IsInRole(role);
    public bool IsInAnyRole(IEnumerable<string> roles) => roles.Any(Principal.IsInRole);

    public string? JurisdictionCode => Principal.FindFirstValue(JurisdictionCodeClaim);

    /// <summary>
    /// The area-code prefix this user may see. A user without one sees nothing: the value cannot
    /// match any code, so a missing claim fails closed.
    /// </summary>
    public string JurisdictionPrefix => Principal.FindFirstValue(JurisdictionPrefixClaim) is { Length: > 0 } p ? p : "-";

    public bool CanSee(string areaCode) => areaCode.StartsWith(JurisdictionPrefix, StringComparison.Ordinal);

    public bool CanUnmaskPersonalData => IsInAnyRole(Roles.UnmaskPersonalData);

    public long? ResidentId => long.TryParse(Principal.FindFirstValue(ResidentIdClaim), out var id) ? id : null;

    public bool CanManageArea(string areaCode) => IsAuthenticated && CanSee(areaCode) && AreaCode.IsWellFormed(areaCode);
}
