"""Read a rendered form back into the data a browser would post, so tests can
submit the admin's own change forms without knowing each model's fields."""

from html.parser import HTMLParser

TEXT_TYPES = {
    "text",
    "hidden",
    "number",
    "email",
    "url",
    "date",
    "time",
    "datetime-local",
    "password",
    "search",
    "tel",
}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list]] = []  # (form attributes, fields)
        self._fields = None
        self._select = None  # [name, multiple, options, selected]
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
        if self._fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in TEXT_TYPES:
                self._fields.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio") and "checked" in attrs:
                self._fields.append((name, attrs.get("value", "on")))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = [name, "multiple" in attrs, [], []]
        elif tag == "option" and self._select is not None:
            self._option = attrs
            self._option_text = ""
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value = self._option.get("value", self._option_text.strip())
            self._select[2].append(value)
            if "selected" in self._option:
                self._select[3].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            if not selected and not multiple and options:
                selected = options[:1]  # what a browser sends
            self._fields.extend((name, value) for value in selected)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def form_values(html: str, form_id: str | None = None) -> dict:
    """The fields of the page's form `form_id` (default: the admin's change form,
    whose id ends with "_form"), as a dict for the test client; names posted
    several times map to lists."""
    parser = _FormParser()
    parser.feed(html)
    forms = parser.forms
    if form_id is not None:
        chosen = [fields for attrs, fields in forms if attrs.get("id") == form_id]
    else:
        chosen = [
            fields for attrs, fields in forms if attrs.get("id", "").endswith("_form")
        ] or [max((fields for _attrs, fields in forms), key=len, default=[])]
    data: dict = {}
    for name, value in chosen[0] if chosen else []:
        if name in data:
            if not isinstance(data[name], list):
                data[name] = [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data
