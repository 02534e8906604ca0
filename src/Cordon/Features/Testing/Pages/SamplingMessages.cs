using System.Text.RegularExpressions;
using Cordon.Components.Shared;
using Cordon.Resources;
using Microsoft.Extensions.Localization;

namespace Cordon.Features.Testing.Pages;

/// <summary>
/// The sampling and lab messages in the user's language. The services write one English wording for the API
/// (ProblemDetails); this maps the testing ones to resource keys and hands everything else to <see cref="ErrorText"/>.
/// A status word inside a message ("Tube T-1 is closed: …") is translated too.
/// </summary>
public static partial class SamplingMessages
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        [TubeCode.Rule] = "SMsg_CodeRule",
        ["is not a site where you sample"] = "SMsg_NotYourSite",
        ["is already used by another tube"] = "SMsg_TubeTaken",
        ["is not a personal sampling code or ID number of a registered resident"] = "SMsg_CodeUnknown",
        ["names a person who is already in this tube"] = "SMsg_AlreadyInTube",
        ["names a person who is already in an open tube"] = "SMsg_InAnOpenTube",
        ["is required: say why the tube is voided"] = "SMsg_VoidReason",
        ["is already used by another box"] = "SMsg_BoxTaken",
        ["is not a known tube"] = "SMsg_TubeUnknown",
        ["is a tube of another site"] = "SMsg_TubeOtherSite",
        ["is already in this box"] = "SMsg_TubeInBox",
        ["is a tube that is still open: close it first"] = "SMsg_TubeStillOpen",
        ["is not a known lab"] = "SMsg_LabUnknown",
        ["is not a known box"] = "SMsg_BoxUnknown",
        ["is a box that has not been dispatched"] = "SMsg_BoxNotDispatched",
        ["is a box sent to a lab outside your jurisdiction"] = "SMsg_BoxOtherLab",
        ["must be Negative, Positive or Invalid"] = "SMsg_ResultWord",
        ["must be negative, positive or invalid"] = "SMsg_ResultWord",
        ["must be a Ct value above 0 and at most 50"] = "SMsg_CtRange",
        ["must not be in the future"] = "SMsg_Future",
        ["must not be before the tube was received"] = "SMsg_BeforeReceived",
        ["is not a lab in your jurisdiction"] = "SMsg_LabNotYours",
        ["is a voided tube"] = "SMsg_TubeVoided",
        ["is a tube this lab has not received"] = "SMsg_NotReceivedHere",
        ["Some tubes got a result from someone else while this file was being applied; nothing was changed. Send the file again."] = "SMsg_ImportRace",
    };

    private static readonly (Regex Pattern, string Key)[] Patterns =
    [
        (NoMorePeople(), "SMsg_TubeNoMore"),
        (ClosedAMomentAgo(), "SMsg_TubeClosedJustNow"),
        (TubeFull(), "SMsg_TubeFull"),
        (InOpenTube(), "SMsg_InOpenTube"),
        (TubeAlready(), "SMsg_TubeAlready"),
        (TubeEmpty(), "SMsg_TubeEmpty"),
        (CannotVoid(), "SMsg_CannotVoid"),
        (BoxClosed(), "SMsg_BoxClosed"),
        (NotWaitingForBox(), "SMsg_NotWaitingForBox"),
        (BoxedJustNow(), "SMsg_BoxedJustNow"),
        (BoxAlreadyDispatched(), "SMsg_BoxAlreadyDispatched"),
        (BoxEmpty(), "SMsg_BoxEmpty"),
        (BoxAlreadyReceived(), "SMsg_BoxAlreadyReceived"),
        (HasResult(), "SMsg_HasResult"),
        (TakesNoResult(), "SMsg_TakesNoResult"),
        (ResultJustNow(), "SMsg_ResultJustNow"),
        (DiffersFrom(), "SMsg_DiffersFrom"),
        (RepeatsTube(), "SMsg_RepeatsTube"),
    ];

    /// <summary>A status word inside a message is translated too.</summary>
    private static readonly MessageCatalog Catalog = new(
        Exact, Patterns, (t, group) => group.Name == "status" ? Status(t, group.Value) : group.Value, ErrorText.Localize);

    public static string Localize(IStringLocalizer<Strings> t, string message) => Catalog.Localize(t, message);

    /// <summary>"Box code is not a known box" / "箱码不是已知的转运箱".</summary>
    public static string Sentence(IStringLocalizer<Strings> t, string field, string message, string? scope = null) =>
        Catalog.Sentence(t, field, message, scope);

    /// <summary>A tube or box status in the user's language ("closed" → "已封管").</summary>
    public static string Status(IStringLocalizer<Strings> t, string word)
    {
        var name = word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
        return ErrorText.Found(t["TubeStatus_" + name]) ?? word;
    }

    [GeneratedRegex(@"^Tube (\S+) is (?<status>\w+): it takes no more people\.$")]
    private static partial Regex NoMorePeople();

    [GeneratedRegex(@"^Tube (\S+) was closed a moment ago: it takes no more people\.$")]
    private static partial Regex ClosedAMomentAgo();

    [GeneratedRegex(@"^Tube (\S+) is full \((\d+)/(\d+)\)\.$")]
    private static partial Regex TubeFull();

    [GeneratedRegex(@"^names a person who is already in the open tube (\S+)$")]
    private static partial Regex InOpenTube();

    [GeneratedRegex(@"^Tube (\S+) is already (?<status>\w+)\.$")]
    private static partial Regex TubeAlready();

    [GeneratedRegex(@"^Tube (\S+) holds nobody: void it instead of closing it\.$")]
    private static partial Regex TubeEmpty();

    [GeneratedRegex(@"^Tube (\S+) is (?<status>\w+): it cannot be voided\.$")]
    private static partial Regex CannotVoid();

    [GeneratedRegex(@"^Box (\S+) was dispatched: it takes no more tubes\.$")]
    private static partial Regex BoxClosed();

    [GeneratedRegex(@"^is a tube that is (?<status>\w+), not waiting for a box$")]
    private static partial Regex NotWaitingForBox();

    [GeneratedRegex(@"^Tube (\S+) was boxed or voided a moment ago\.$")]
    private static partial Regex BoxedJustNow();

    [GeneratedRegex(@"^Box (\S+) was already dispatched\.$")]
    private static partial Regex BoxAlreadyDispatched();

    [GeneratedRegex(@"^Box (\S+) is empty: put tubes in it first\.$")]
    private static partial Regex BoxEmpty();

    [GeneratedRegex(@"^Box (\S+) was already received at (.+) UTC\.$")]
    private static partial Regex BoxAlreadyReceived();

    [GeneratedRegex(@"^Tube (\S+) already has the result (.+); a released result is not overwritten\.$")]
    private static partial Regex HasResult();

    [GeneratedRegex(@"^Tube (\S+) is (?<status>\w+): it takes no result\.$")]
    private static partial Regex TakesNoResult();

    [GeneratedRegex(@"^Tube (\S+) got a result a moment ago; reload it\.$")]
    private static partial Regex ResultJustNow();

    [GeneratedRegex(@"^differs from the released result (.+)$")]
    private static partial Regex DiffersFrom();

    [GeneratedRegex(@"^repeats the tube of row (\d+)$")]
    private static partial Regex RepeatsTube();
}
