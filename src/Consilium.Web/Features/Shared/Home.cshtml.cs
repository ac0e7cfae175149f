using Consilium.Features.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consilium.Features;

/// <summary>The root sends each user to their role's start page, or to sign in.</summary>
[AllowAnonymous]
public sealed class HomeModel(CurrentActor actor) : PageModel
{
    public IActionResult OnGet() => Redirect(actor.IsAuthenticated ? Navigation.Home(actor.Role) : "/signin");
}
