using Cordon.Features.Registry;
using Cordon.Infrastructure.Data;
using Cordon.Infrastructure.Security;
using Cordon.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Identity;

public sealed record UserDto(string Id, string UserName, string DisplayName, string Role, string JurisdictionCode, bool LockedOut, bool TwoFactorEnabled, long? ResidentId);

public sealed record UserInput(string? UserName, string? DisplayName, string? Password, string? Role, string? JurisdictionCode, long? ResidentId = null);

/// <summary>Staff accounts: one role and one jurisdiction each. Admins manage users inside their own jurisdiction only.</summary>
public sealed class UserAdministration(
    UserManager<CordonUser> users, IDbContextFactory<CordonDbContext> factory, CurrentUser currentUser, TimeProvider clock)
{
    public async Task<IReadOnlyList<UserDto>> ListAsync(string? role, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Users.AsNoTracking().WhereStartsWith(u => u.JurisdictionPrefix, currentUser.JurisdictionPrefix);
        var rows = await (from u in query
                          join ur in db.UserRoles on u.Id equals ur.UserId
                          join r in db.Roles on ur.RoleId equals r.Id
                          where role == null || r.Name == role
                          orderby u.UserName
                          select new { u, Role = r.Name! })
                         .Take(500).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return rows.Select(x => ToDto(x.u, x.Role, now)).ToList();
    }

    public async Task<Outcome<UserDto>> CreateAsync(UserInput input, bool allowAnyJurisdiction = false, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        errors.Require("userName", input.UserName, 64);
        errors.Require("displayName", input.DisplayName, 100);
        if (string.IsNullOrEmpty(input.Password)) errors.Add("password", "is required");
        if (input.Role is null || !Roles.All.Contains(input.Role)) errors.Add("role", $"must be one of {string.Join(", ", Roles.All)}");
        if (!AreaCode.IsWellFormed(input.JurisdictionCode)) errors.Add("jurisdictionCode", "must be a 6, 9, 12 or 15-digit area code");
        if (errors.Any) return Outcome<UserDto>.Invalid(errors);

        var jurisdiction = input.JurisdictionCode!;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if ((!allowAnyJurisdiction && !currentUser.CanSee(jurisdiction)) || !await db.Areas.AnyAsync(a => a.Code == jurisdiction, ct))
                return Outcome<UserDto>.Invalid("jurisdictionCode", "is not a known area in your jurisdiction");
            if (input.ResidentId is { } residentId)
            {
                // Linking an account to a person gives it that person's data: only a resident inside the admin's jurisdiction.
                var resident = db.Residents.Where(r => r.Id == residentId);
                if (!allowAnyJurisdiction) resident = resident.WhereStartsWith(r => r.AreaCode, currentUser.JurisdictionPrefix);
                if (!await resident.AnyAsync(ct)) return Outcome<UserDto>.Invalid("residentId", "is not a registered resident in your jurisdiction");
            }
        }
        if (await users.FindByNameAsync(input.UserName!) is not null) return Outcome<UserDto>.Conflict($"The user name {input.UserName} is taken.");

        var user = new CordonUser
        {
            UserName = input.UserName!.Trim(),
            DisplayName = input.DisplayName!.Trim(),
            JurisdictionCode = jurisdiction,
            JurisdictionPrefix = AreaCode.PrefixOf(jurisdiction),
            ResidentId = input.ResidentId,
        };
        var created = await users.CreateAsync(user, input.Password!);
        if (!created.Succeeded) return Outcome<UserDto>.Invalid(IdentityErrors(created));
        await users.AddToRoleAsync(user, input.Role!);
        return Outcome<UserDto>.Ok(ToDto(user, input.Role!, clock.GetUtcNow()));
    }

    public async Task<Outcome<UserDto>> SetLockedAsync(string id, bool locked, CancellationToken ct = default)
    {
        var user = await VisibleUserAsync(id);
        if (user is null) return Outcome<UserDto>.NotFound();
        if (user.Id == currentUser.Id) return Outcome<UserDto>.Invalid("id", "you cannot lock your own account");
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (!locked) await users.ResetAccessFailedCountAsync(user);
        var role = (await users.GetRolesAsync(user)).FirstOrDefault() ?? "";
        return Outcome<UserDto>.Ok(ToDto(user, role, clock.GetUtcNow()));
    }

    public async Task<Outcome<UserDto>> ResetPasswordAsync(string id, string? password, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(password)) return Outcome<UserDto>.Invalid("password", "is required");
        var user = await VisibleUserAsync(id);
        if (user is null) return Outcome<UserDto>.NotFound();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, password);
        if (!result.Succeeded) return Outcome<UserDto>.Invalid(IdentityErrors(result));
        var role = (await users.GetRolesAsync(user)).FirstOrDefault() ?? "";
        return Outcome<UserDto>.Ok(ToDto(user, role, clock.GetUtcNow()));
    }

    private async Task<CordonUser?> VisibleUserAsync(string id)
    {
        var user = await users.FindByIdAsync(id);
        return user is not null && user.JurisdictionPrefix.StartsWith(currentUser.JurisdictionPrefix, StringComparison.Ordinal) ? user : null;
    }

    private static FieldErrors IdentityErrors(IdentityResult result)
    {
        var errors = new FieldErrors();
        foreach (var e in result.Errors) errors.Add(e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "userName", e.Description);
        return errors;
    }

    private static UserDto ToDto(CordonUser u, string role, DateTimeOffset now) => new(
        u.Id, u.UserName!, u.DisplayName, role, u.JurisdictionCode, u.LockoutEnd is { } end && end > now, u.TwoFactorEnabled, u.ResidentId);
}
