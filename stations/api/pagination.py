from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: ``{"next", "previous", "results"}``, never a COUNT(*).

    ``page_size`` may be asked for up to 1,000. Views set ``ordering`` to a unique, indexed key.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("id",)
