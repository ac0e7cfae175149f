using Consilium.Infrastructure;

namespace Consilium.Features;

/// <summary>What _Refused.cshtml shows: a heading, a plain message, the status code and a link back.</summary>
public sealed record RefusedView(int Status, string Title, string Message, string BackHref, string BackText)
{
    /// <summary>
    /// The page's words for a refusal the handlers raised. "Not found" is worded so it does not say whether the thing
    /// exists: a user may not learn of cases outside their reach.
    /// </summary>
    internal static RefusedView For(Exception e, string what, string backHref, string backText) => e switch
    {
        ForbiddenException f => new(403, "Not allowed", f.Message, backHref, backText),
        ConflictException c => new(409, "Not available now", c.Message, backHref, backText),
        _ => new(404, "Not found", $"There is no {what} here that you can open. Check the link, or go back to your list.", backHref, backText),
    };
}
