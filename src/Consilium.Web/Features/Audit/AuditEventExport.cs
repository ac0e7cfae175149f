using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Consilium.Features.Audit;

/// <summary>
/// The trail as FHIR R4 AuditEvent resources (DICOM audit vocabulary for type, RESTful interaction for subtype) in a
/// collection Bundle, written entry by entry so an export of millions stays in flat memory.
/// </summary>
public static class AuditEventExport
{
    const string Dcm = "http://dicom.nema.org/resources/ontology/DCM";
    const string Interaction = "http://hl7.org/fhir/restful-interaction";
    const string EventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    const string ChainSystem = "urn:consilium:audit:sequence";

    static readonly System.Text.Json.JsonSerializerOptions Json = new System.Text.Json.JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static async System.Threading.Tasks.Task WriteBundleAsync(IAsyncEnumerable<AuditEntryView> entries, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync($"{{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":\"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"entry\":[");
        var first = true;
        await foreach (var entry in entries.WithCancellation(ct))
        {
            if (!first) await writer.WriteAsync(',');
            first = false;
            var resource = ToAuditEvent(entry);
            await writer.WriteAsync($"{{\"fullUrl\":\"urn:uuid:{DeterministicGuid(entry.Hash)}\",\"resource\":");
            await writer.WriteAsync(System.Text.Json.JsonSerializer.Serialize(resource, Json));
            await writer.WriteAsync('}');
        }
        await writer.WriteAsync("]}");
    }

    public static AuditEvent ToAuditEvent(AuditEntryView e)
    {
        var (type, subtype, action) = Classify(e.Action);
        var audit = new AuditEvent
        {
            Id = $"audit-{e.Sequence}",
            Type = type,
            Subtype = subtype is null ? [] : [subtype],
            Action = action,
            Recorded = e.At,
            Outcome = e.Outcome switch
            {
                AuditOutcome.Success => AuditEvent.AuditEventOutcome.N0,
                AuditOutcome.Denied => AuditEvent.AuditEventOutcome.N4,
                _ => AuditEvent.AuditEventOutcome.N8,
            },
            OutcomeDesc = e.Reason,
            PurposeOfEvent = e.BreakGlass ? [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActReason", "ETREAT", "Emergency Treatment")] : [],
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    Who = new ResourceReference { Display = e.UserName, Identifier = e.UserId is null ? null : new Identifier("urn:consilium:user", e.UserId.ToString()) },
                    Role = string.IsNullOrEmpty(e.Role) ? [] : [new CodeableConcept("urn:consilium:role", e.Role, e.Role)],
                    Requestor = true,
                    Network = new AuditEvent.NetworkComponent { Address = e.Source, Type = AuditEvent.AuditEventAgentNetworkType.N2 },
                },
            ],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "Consilium" }, Site = "Consilium" },
        };
        if (e.PatientId is { } patient)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference($"Patient/{patient}"),
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                Role = new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            });
        }
        audit.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier($"urn:consilium:{e.ObjectType.ToLowerInvariant()}", e.ObjectId ?? "") , Display = e.ObjectType },
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
            Detail =
            [
                new AuditEvent.DetailComponent { Type = ChainSystem, Value = new FhirString(e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
                new AuditEvent.DetailComponent { Type = "urn:consilium:audit:hash", Value = new FhirString(e.Hash) },
            ],
        });
        return audit;
    }

    static (Coding Type, Coding? Subtype, AuditEvent.AuditEventAction Action) Classify(AuditAction action) => action switch
    {
        AuditAction.Create => (new Coding(EventType, "rest", "RESTful Operation"), new Coding(Interaction, "create", "create"), AuditEvent.AuditEventAction.C),
        AuditAction.Read => (new Coding(EventType, "rest", "RESTful Operation"), new Coding(Interaction, "read", "read"), AuditEvent.AuditEventAction.R),
        AuditAction.Update => (new Coding(EventType, "rest", "RESTful Operation"), new Coding(Interaction, "update", "update"), AuditEvent.AuditEventAction.U),
        AuditAction.Delete => (new Coding(EventType, "rest", "RESTful Operation"), new Coding(Interaction, "delete", "delete"), AuditEvent.AuditEventAction.D),
        AuditAction.Query => (new Coding(Dcm, "110112", "Query"), new Coding(Interaction, "search-type", "search-type"), AuditEvent.AuditEventAction.E),
        AuditAction.Export => (new Coding(Dcm, "110106", "Export"), null, AuditEvent.AuditEventAction.R),
        AuditAction.Print => (new Coding(Dcm, "110106", "Export"), new Coding("urn:consilium:audit", "print", "Print"), AuditEvent.AuditEventAction.R),
        AuditAction.SignIn => (new Coding(Dcm, "110114", "User Authentication"), new Coding(Dcm, "110122", "Login"), AuditEvent.AuditEventAction.E),
        AuditAction.FailedSignIn => (new Coding(Dcm, "110114", "User Authentication"), new Coding(Dcm, "110122", "Login"), AuditEvent.AuditEventAction.E),
        AuditAction.SignOut => (new Coding(Dcm, "110114", "User Authentication"), new Coding(Dcm, "110123", "Logout"), AuditEvent.AuditEventAction.E),
        AuditAction.PermissionChange => (new Coding(Dcm, "110136", "Security Roles Changed"), null, AuditEvent.AuditEventAction.U),
        AuditAction.ConsentChange => (new Coding(Dcm, "110110", "Patient Record"), new Coding("urn:consilium:audit", "consent", "Consent change"), AuditEvent.AuditEventAction.U),
        _ => (new Coding(EventType, "rest", "RESTful Operation"), null, AuditEvent.AuditEventAction.E),
    };

    /// <summary>A stable id per entry, so exporting twice yields the same fullUrls.</summary>
    static Guid DeterministicGuid(string hash) => new(Convert.FromHexString(hash.AsSpan(0, 32)));
}
