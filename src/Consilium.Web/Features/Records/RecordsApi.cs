using Consilium.Features.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consilium.Features.Records;

public static class RecordsApi
{
    public static IServiceCollection AddRecords(this IServiceCollection services)
    {
        services.AddOptions<RecordsOptions>().BindConfiguration(RecordsOptions.Section)
            .Validate(CompletenessRules.Validate, "Records options are not valid: check Records:Completeness kinds and the day counts.")
            .ValidateOnStart();
        return services.AddScoped<CompletenessRules>().AddScoped<RecordHandlers>().AddScoped<BulkFollowUps>();
    }

    public static IEndpointRouteBuilder MapRecords(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cases/{id:guid}/records", Get).WithTags("Records").RequireAuthorization(Policies.RecordsRead);
        app.MapPost("/api/cases/{id:guid}/record-requests", Create).WithTags("Records").RequireAuthorization(Policies.RecordsManage);
        var requests = app.MapGroup("/api/record-requests/{requestId:guid}").WithTags("Records");
        requests.MapPost("sent", Sent).RequireAuthorization(Policies.RecordsManage);
        requests.MapPost("items/{itemId:guid}", UpdateItem).RequireAuthorization(Policies.RecordsManage);
        requests.MapPost("follow-ups", FollowUp).RequireAuthorization(Policies.RecordsManage);
        requests.MapGet("letter.pdf", Letter).RequireAuthorization(Policies.RecordsManage);
        app.MapPost("/api/record-requests/follow-ups", BulkFollowUp).WithTags("Records").RequireAuthorization(Policies.RecordsManage);
        app.MapGet("/api/records/worklist", Worklist).WithTags("Records").RequireAuthorization(Policies.RecordsManage);
        return app;
    }

    static async Task<Ok<CaseRecordsView>> Get(Guid id, RecordHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Created<RecordRequestView>> Create(Guid id, CreateRecordRequest request, RecordHandlers handlers, CancellationToken ct)
    {
        var view = await handlers.CreateAsync(id, request, ct);
        return TypedResults.Created($"/api/cases/{id}/records", view);
    }

    static async Task<Ok<RecordRequestView>> Sent(Guid requestId, RecordHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.MarkSentAsync(requestId, ct));

    static async Task<Ok<RecordRequestView>> UpdateItem(Guid requestId, Guid itemId, UpdateRecordItem update, RecordHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.UpdateItemAsync(requestId, itemId, update, ct));

    static async Task<Ok<RecordRequestView>> FollowUp(Guid requestId, CreateFollowUp followUp, RecordHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.FollowUpAsync(requestId, followUp, ct));

    static async Task<Ok<BulkFollowUpResult>> BulkFollowUp(BulkFollowUpRequest request, BulkFollowUps bulk, CancellationToken ct) =>
        TypedResults.Ok(await bulk.ApplyAsync(request, ct));

    static async Task<FileContentHttpResult> Letter(Guid requestId, RecordHandlers handlers, CancellationToken ct)
    {
        var (pdf, name) = await handlers.LetterAsync(requestId, ct);
        return TypedResults.File(pdf, "application/pdf", name);
    }

    static async Task<Ok<IReadOnlyList<RetrievalItem>>> Worklist([FromQuery] bool? overdue, RecordHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.WorklistAsync(overdue ?? false, ct));
}
