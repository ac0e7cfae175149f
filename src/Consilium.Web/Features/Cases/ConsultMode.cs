namespace Consilium.Features.Cases;

/// <summary>
/// How the reviewer's opinion is given. A direct opinion needs a reviewer licensed in the member's state; without one,
/// the specialist advises the local physician of record in a physician-to-physician educational consult. Persisted by name.
/// </summary>
public enum ConsultMode
{
    DirectOpinion,
    EducationalConsult,
}
