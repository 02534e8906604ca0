using Microsoft.AspNetCore.Http.HttpResults;

namespace Cordon.Infrastructure.Web;

/// <summary>Maps service outcomes to HTTP: 400 ValidationProblem naming the fields, 404, 409 ProblemDetails.</summary>
public static class OutcomeResults
{
    public static Results<Ok<T>, ValidationProblem, NotFound, ProblemHttpResult> ToHttp<T>(this Outcome<T> outcome) => outcome.Kind switch
    {
        OutcomeKind.Ok => TypedResults.Ok(outcome.Value),
        OutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!.ToDictionary()),
        OutcomeKind.NotFound => TypedResults.NotFound(),
        OutcomeKind.Conflict => TypedResults.Problem(outcome.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static Results<Created<T>, ValidationProblem, NotFound, ProblemHttpResult> ToCreated<T>(this Outcome<T> outcome, Func<T, string> location) => outcome.Kind switch
    {
        OutcomeKind.Ok => TypedResults.Created(location(outcome.Value!), outcome.Value),
        OutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!.ToDictionary()),
        OutcomeKind.NotFound => TypedResults.NotFound(),
        OutcomeKind.Conflict => TypedResults.Problem(outcome.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}
