"""The API's JSON: every string in a response without bidirectional controls (``reports.bidi``)."""

from rest_framework.renderers import JSONRenderer

from reports.bidi import strip_bidi_all


class PlainTextJSONRenderer(JSONRenderer):
    """JSON whose text cannot be reordered on screen: titles, template names, previews and errors alike."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(strip_bidi_all(data), accepted_media_type, renderer_context)
