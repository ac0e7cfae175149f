namespace Consilium.Documents.Layout;

/// <summary>
/// Places fragments top to bottom, starting a page when the next one does not fit. Rules, in order: a heading
/// (or table header) and the start of what follows it share a page; free-flowing text fills the page line by line;
/// anything else moves whole to the next page; a fragment that does not fit even on a fresh page is split by lines,
/// or, if it cannot be split, drawn anyway so that no content is dropped.
/// </summary>
internal sealed class Paginator(Func<PageCanvas> newPage, double contentTop, double contentHeight)
{
    private const double Epsilon = 1e-6;

    private readonly List<PageCanvas> pages = [];
    private PageCanvas page = null!;
    private double y;

    // Nothing but a repeated table header is on the page yet: space before is dropped, and moving on cannot help.
    private bool fresh;

    // Taken only when more content follows, so a break at the end never leaves a blank last page.
    private bool breakPending;

    public IReadOnlyList<PageCanvas> Lay(IReadOnlyList<Fragment> fragments)
    {
        StartPage(null);
        for (var i = 0; i < fragments.Count; i++)
        {
            var fragment = fragments[i];
            if (fragment is PageBreakFragment)
            {
                breakPending = !fresh;
                continue;
            }

            if (breakPending)
            {
                StartPage(null);
                breakPending = false;
            }

            while (true)
            {
                var space = fresh ? 0 : fragment.SpaceBefore;
                var available = contentHeight - y - space;
                var needed = fresh ? fragment.Height : HeightWithKept(fragments, i, fragment);
                if (needed <= available + Epsilon)
                {
                    Place(fragment, space);
                    break;
                }

                if ((fragment.SplitsFreely || fresh) && fragment.SplitToFit(available) is var (head, tail))
                {
                    Place(head, space);
                    StartPage(tail);
                    fragment = tail;
                    continue;
                }

                if (fresh)
                {
                    Place(fragment, space);
                    break;
                }

                StartPage(fragment);
            }
        }

        return pages;
    }

    private double HeightWithKept(IReadOnlyList<Fragment> fragments, int index, Fragment fragment)
    {
        var total = fragment.Height;
        if (!fragment.KeepWithNext)
        {
            return total;
        }

        for (var j = index + 1; j < fragments.Count && fragments[j] is not PageBreakFragment; j++)
        {
            var next = fragments[j];
            total += next.SpaceBefore;
            if (!next.KeepWithNext)
            {
                total += next.MinHeadHeight;
                break;
            }

            total += next.Height;
        }

        // A chain longer than a page cannot be kept together; placing the first fragment alone is the best left.
        return total > contentHeight ? fragment.Height : total;
    }

    private void Place(Fragment fragment, double space)
    {
        fragment.Draw(page, contentTop + y + space);
        y += space + fragment.Height;
        fresh = false;
    }

    private void StartPage(Fragment? continuing)
    {
        page = newPage();
        pages.Add(page);
        y = 0;
        if (continuing?.RepeatedHeader is { } header)
        {
            header.Draw(page, contentTop);
            y = header.Height;
        }

        fresh = true;
    }
}
