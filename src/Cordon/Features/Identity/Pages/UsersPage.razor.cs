using Cordon.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace Cordon.Features.Identity.Pages;

public partial class UsersPage
{
    private IReadOnlyList<UserDto> users = [];
    private FormErrors createErrors = FormErrors.None;
    private FormErrors actionErrors = FormErrors.None;
    private string? actionUser;

    [SupplyParameterFromQuery(Name = "role")] private string? Role { get; set; }
    [SupplyParameterFromQuery(Name = "done")] private string? Done { get; set; }
    [SupplyParameterFromQuery(Name = "user")] private string? Who { get; set; }

    [SupplyParameterFromForm(FormName = "user-create")] private NewUserForm Input { get; set; } = default!;
    /// <summary>Posted by whichever row's reset-password form was used.</summary>
    [SupplyParameterFromForm] private string? NewPassword { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        Input ??= new();
        if (Done is not null && Done is not ("created" or "locked" or "unlocked" or "password")) Done = null;
        users = await Admin.ListAsync(Roles.All.Contains(Role) ? Role : null);
    }

    private async Task CreateAsync()
    {
        long? residentId = null;
        if (!string.IsNullOrWhiteSpace(Input.ResidentId))
        {
            if (!long.TryParse(Input.ResidentId.Trim(), out var id))
            {
                createErrors = FormErrors.Field("residentId", "is not a registered resident");
                return;
            }
            residentId = id;
        }
        var outcome = await Admin.CreateAsync(new UserInput(
            Input.UserName?.Trim(), Input.DisplayName, Input.Password, string.IsNullOrEmpty(Input.Role) ? null : Input.Role, Input.JurisdictionCode?.Trim(), residentId));
        createErrors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo($"admin/users?done=created&user={Uri.EscapeDataString(outcome.Value!.UserName)}");
    }

    private async Task SetLockedAsync(UserDto user, bool locked)
    {
        var outcome = await Admin.SetLockedAsync(user.Id, locked);
        actionUser = user.UserName;
        actionErrors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo($"admin/users?done={(locked ? "locked" : "unlocked")}&user={Uri.EscapeDataString(user.UserName)}");
    }

    private async Task ResetPasswordAsync(UserDto user)
    {
        var outcome = await Admin.ResetPasswordAsync(user.Id, NewPassword);
        actionUser = user.UserName;
        actionErrors = FormErrors.From(outcome);
        if (outcome.IsOk) Navigation.NavigateTo($"admin/users?done=password&user={Uri.EscapeDataString(user.UserName)}");
    }

    private sealed class NewUserForm
    {
        public string? UserName { get; set; }
        public string? DisplayName { get; set; }
        public string? Password { get; set; }
        public string? Role { get; set; }
        public string? JurisdictionCode { get; set; }
        public string? ResidentId { get; set; }
    }
}
