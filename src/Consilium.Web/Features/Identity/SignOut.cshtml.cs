using Consilium.Features.Audit;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features.Identity;

[Authorize(Policy = Policies.SignedIn)]
public sealed class SignOutModel(SignInManager<AppUser> signIn, AuditTrail audit, ConsiliumDbContext db) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        audit.Record(AuditAction.SignOut, "Session", null, null);
        await db.SaveChangesAsync();
        await signIn.SignOutAsync();
        return Redirect("/signin");
    }
}
