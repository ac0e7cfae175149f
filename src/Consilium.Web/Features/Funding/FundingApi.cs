using Consilium.Features.Identity;
using Consilium.Features.Intake;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Consilium.Features.Funding;

public static class FundingApi
{
    public static IServiceCollection AddFunding(this IServiceCollection services)
    {
        // The default takes no money; a deployment with a card processor registers its own provider before this runs.
        services.TryAddSingleton<IPaymentProvider, OfflinePaymentProvider>();
        services.AddScoped<FundingHandlers>();
        services.AddScoped<PaymentHandlers>();
        return services;
    }

    public static IEndpointRouteBuilder MapFunding(this IEndpointRouteBuilder app)
    {
        var funds = app.MapGroup("/api/funds").WithTags("Funding");
        funds.MapGet("", ListFunds).RequireAuthorization(Policies.FundManage);
        funds.MapGet("{id:guid}", GetFund).RequireAuthorization(Policies.FundManage);
        funds.MapPost("{id:guid}/contributions", Contribute).RequireAuthorization(Policies.FundManage);
        funds.MapPost("{id:guid}/awards", Award).RequireAuthorization(Policies.FundManage);
        funds.MapPost("{id:guid}/awards/{awardId:guid}/refunds", Refund).RequireAuthorization(Policies.FundManage);

        var payments = app.MapGroup("/api/payments").WithTags("Funding");
        payments.MapGet("", ListPayments).RequireAuthorization(Policies.PaymentManage);
        payments.MapPost("{id:guid}/paid", MarkPaid).RequireAuthorization(Policies.PaymentManage);
        return app;
    }

    static async Task<Ok<IReadOnlyList<FundView>>> ListFunds(FundingHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.ListAsync(ct));

    static async Task<Ok<FundDetailView>> GetFund(Guid id, FundingHandlers handlers, CancellationToken ct) => TypedResults.Ok(await handlers.GetAsync(id, ct));

    static async Task<Ok<FundView>> Contribute(Guid id, ContributionRequest request, FundingHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ContributeAsync(id, request, ct));

    static async Task<Created<AwardView>> Award(Guid id, AwardRequest request, FundingHandlers handlers, CancellationToken ct)
    {
        var award = await handlers.AwardAsync(id, request, ct);
        return TypedResults.Created($"/api/funds/{id}", award);
    }

    static async Task<Ok<AwardView>> Refund(Guid id, Guid awardId, RefundRequest request, FundingHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.RefundAsync(id, awardId, request, ct));

    static async Task<Ok<IReadOnlyList<PaymentRow>>> ListPayments([FromQuery] PaymentStatus? status, PaymentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.ListAsync(status, ct));

    static async Task<Ok<PaymentView>> MarkPaid(Guid id, MarkPaidRequest request, PaymentHandlers handlers, CancellationToken ct) =>
        TypedResults.Ok(await handlers.MarkPaidAsync(id, request, ct));
}
