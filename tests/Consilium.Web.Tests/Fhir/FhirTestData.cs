using System.Text.Json;
using Consilium.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace Consilium.Tests.Fhir;

/// <summary>Firely's own client against the running app, parsing every answer with the SDK's strict deserializer.</summary>
internal static class FhirTestData
{
    public static readonly JsonSerializerOptions Strict = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);
    static readonly JsonSerializerOptions Write = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static FhirClient FhirClientFor(this TestApp app, TestUser user) => Client(app.ClientFor(user), app);

    public static FhirClient AnonymousFhirClient(this TestApp app) => Client(app.AnonymousClient(), app);

    static FhirClient Client(HttpClient http, TestApp app) => new(new Uri(http.BaseAddress!, "/fhir/"), http, new FhirClientSettings
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
    });

    /// <summary>Parses a raw body strictly: any element, code or value the SDK does not accept for R4 fails the test.</summary>
    public static T Parse<T>(string json) where T : Resource =>
        Assert.IsType<T>(JsonSerializer.Deserialize<Resource>(json, Strict), exactMatch: false);

    public static string Json(Resource resource) => JsonSerializer.Serialize(resource, Write);

    public const string ReferralSystem = "https://payer.example/referrals";

    /// <summary>A BSeR-style referral: ServiceRequest (conditional on its identifier), the member as Patient, the referring Practitioner.</summary>
    public static Bundle Referral(Guid programId, string referralId, string memberId = "E1001", string birthDate = "1971-04-12", params string[] questions)
    {
        var request = new ServiceRequest
        {
            Identifier = [new Identifier(ReferralSystem, referralId)],
            Status = RequestStatus.Active,
            Intent = RequestIntent.Order,
            Category = [new CodeableConcept("urn:consilium:condition-category", "Spine")],
            Code = new CodeableConcept { Text = "Second opinion" },
            Subject = new ResourceReference("urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f01"),
            Requester = new ResourceReference("urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f02"),
            Performer = [new ResourceReference { Identifier = new Identifier("urn:consilium:program", programId.ToString()) }],
            ReasonCode = [new CodeableConcept("http://hl7.org/fhir/sid/icd-10-cm", "M51.16") { Text = "Lumbar disc herniation with radiculopathy" }],
            Priority = RequestPriority.Routine,
            Note = [new Annotation { Text = "Lumbar fusion proposed for leg pain" }, .. questions.Select(q => new Annotation { Text = q })],
        };
        var patient = new Patient
        {
            Identifier = [new Identifier("urn:consilium:member-id", memberId)],
            BirthDate = birthDate,
            Name = [new HumanName { Family = "Rivera", Given = ["Ana"] }],
            Gender = AdministrativeGender.Female,
            Address = [new Address { State = "OH" }],
        };
        var practitioner = new Practitioner
        {
            Identifier = [new Identifier("http://hl7.org/fhir/sid/us-npi", "1234567893")],
            Name = [new HumanName { Text = "Dr. Ada Quinn" }],
        };
        return new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                Entry("urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f00", request, "ServiceRequest", $"identifier={ReferralSystem}|{referralId}"),
                Entry("urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f01", patient, "Patient"),
                Entry("urn:uuid:5e0a6c1e-4f4b-4d61-9d0c-3c0a1d2b7f02", practitioner, "Practitioner"),
            ],
        };
    }

    static Bundle.EntryComponent Entry(string fullUrl, Resource resource, string url, string? ifNoneExist = null) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = url, IfNoneExist = ifNoneExist },
    };
}
