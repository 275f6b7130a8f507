"""Lists are shown a page at a time, with a link to every page."""

from dataclasses import dataclass

PAGE_SIZE = 50


@dataclass(frozen=True)
class Paging:
    """Which page of a list to show: `page` is always between 1 and `pages`."""

    page: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def paging(total: int, requested: int | None, size: int = PAGE_SIZE) -> Paging:
    """The page to show of `total` rows: out-of-range requests (0, negative, past the end) show the nearest page."""
    pages = max(1, -(-total // size))
    return Paging(page=min(max(requested or 1, 1), pages), pages=pages, total=total, size=size)


def page_links(page: int, pages: int, *, around: int = 2) -> list[int | None]:
    """Page numbers to link, None where a run of pages is elided: the first, the last, and those near `page`."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links
