using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Consults;

public static class ConsultsApi
{
    public static IServiceCollection AddConsults(this IServiceCollection services)
    {
        services.AddOptions<ConsultOptions>().BindConfiguration(ConsultOptions.Section)
            .Validate(ConsultOptions.Validate, "Consults options are not valid: the video service needs an absolute URL (or a template with {room}), positive lead times.")
            .ValidateOnStart();
        services.AddSingleton<IMeetingLinkProvider, ConfiguredMeetingLinkProvider>();
        services.AddScoped<ConsultHandlers>();
        services.AddSingleton<ConsultReminderMonitor>();
        services.AddHostedService<ConsultReminderTimer>();
        return services;
    }

    public static IEndpointRouteBuilder MapConsults(this IEndpointRouteBuilder app)
    {
        var consults = app.MapGroup("/api/consults").WithTags("Video consults");
        consults.MapPost("availability", Publish).RequireAuthorization(Policies.ConsultHost)
            .WithDescription("Publishes slots between from and to on date, wall-clock times in the reviewer's IANA timeZone.");
        consults.MapGet("availability", Mine).RequireAuthorization(Policies.ConsultHost);
        consults.MapPost("{slotId:guid}/cancel", Cancel).RequireAuthorization(Policies.ConsultRead);
        consults.MapPost("{slotId:guid}/notes", Notes).RequireAuthorization(Policies.ConsultHost);
        app.MapGet("/api/cases/{id:guid}/consult", ForCase).WithTags("Video consults").RequireAuthorization(Policies.ConsultRead)
            .WithDescription("The case's consults and, for the member, the specialist's free times shown in timeZone (IANA; default from the member's state).");
        app.MapPost("/api/cases/{id:guid}/consult", Book).WithTags("Video consults").RequireAuthorization(Policies.ConsultBook);
        return app;
    }

    static async Task<Created<IReadOnlyList<SlotView>>> Publish(PublishAvailabilityRequest request, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Created("/api/consults/availability", await handlers.PublishAsync(request, ct));

    static async Task<Ok<IReadOnlyList<SlotView>>> Mine([FromQuery] string? timeZone, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.MineAsync(timeZone, ct));

    static async Task<Ok<BookingView>> Cancel(Guid slotId, CancelConsultRequest request, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.CancelAsync(slotId, request, ct));

    static async Task<Ok<BookingView>> Notes(Guid slotId, ConsultNotesRequest request, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RecordNotesAsync(slotId, request, ct));

    static async Task<Ok<CaseConsultView>> ForCase(Guid id, [FromQuery] string? timeZone, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ForCaseAsync(id, timeZone, ct));

    static async Task<Created<BookingView>> Book(Guid id, BookConsultRequest request, ConsultHandlers handlers, CancellationToken ct) =>
        TypedResults.Created($"/api/cases/{id}/consult", await handlers.BookAsync(id, request, ct));
}
