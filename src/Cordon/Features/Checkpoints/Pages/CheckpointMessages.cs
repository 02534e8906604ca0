using Cordon.Components.Shared;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Checkpoints.Pages;

/// <summary>
/// The checkpoint form's messages in the user's language: the service writes one English wording for the API
/// (ProblemDetails); this maps the checkpoint ones to resource keys and hands the rest to <see cref="ErrorText"/>.
/// </summary>
public static class CheckpointMessages
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["must be the 12-digit code of a community"] = "CheckpointMsg_Community",
        ["is not a community in your jurisdiction"] = "CheckpointMsg_NotYourCommunity",
        ["may hold only Green, Yellow and Red"] = "CheckpointMsg_Colours",
        ["must be 24, 48 or 72 hours, or empty for no test requirement"] = "CheckpointMsg_TestHours",
        ["must be between 36.0 and 39.0 °C"] = "CheckpointMsg_Threshold",
        ["The community already has a checkpoint with this name."] = "CheckpointMsg_NameTaken",
        [CheckpointService.HasPassages] = "CheckpointMsg_HasPassages",
    };

    private static readonly MessageCatalog Catalog = new(Exact, [], next: ErrorText.Localize);

    /// <summary>The errors of an outcome with every message in the user's language.</summary>
    public static FormErrors Errors<T>(IStringLocalizer<Strings> t, Infrastructure.Web.Outcome<T> outcome) => Catalog.Errors(t, outcome);
}
