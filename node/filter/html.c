/* html.c: the page filter on libgumbo (html.h). The walk keeps an element
 * whose name is on the allow-list (HTML's or SVG's) with its allowed
 * attributes, drops the ones that load, run or frame things with all they
 * hold, and keeps only the children of the rest (unknown and custom
 * elements), so their text still shows. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "node/filter/css.h"
#include "node/filter/html.h"
#include "node/filter/settle.h"
#include "node/filter/url.h"

enum { DEPTH_MAX = 400 }; /* deeper content is dropped: the walk recurses */

struct out {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->oom || !n)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		uint8_t *q;
		while (cap < o->len + n)
			cap *= 2;
		if (!(q = realloc(o->p, cap))) {
			o->oom = 1;
			return;
		}
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

/* text escapes character data (|attr|: a double-quoted value). '<' and
 * '>' are escaped in values too: no markup is ever seen in the output
 * but markup the filter kept. */
static void
text(struct out *o, const char *s, size_t n, int attr)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = attr ? "&quot;" : NULL; break;
		case '\0': e = "\xef\xbf\xbd"; break;
		}
		if (!e)
			continue;
		put(o, s + run, i - run);
		puts_(o, e);
		run = i + 1;
	}
	put(o, s + run, n - run);
}

/* ---- what is kept ---- */

enum verdict { KEEP, DROP, UNWRAP };

static int
in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

static const char *const html_keep[] = {
	"html", "head", "body", "title", "meta", "link", "style", "a", "abbr", "address", "article", "aside",
	"b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
	"data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "fieldset", "figcaption", "figure",
	"font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img",
	"input", "ins", "kbd", "label", "legend", "li", "main", "map", "area", "mark", "menu", "meter", "nav",
	"ol", "optgroup", "option", "output", "p", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s",
	"samp", "section", "select", "small", "source", "span", "strike", "strong", "sub", "summary", "sup",
	"table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
	"wbr", "audio", "video", "track", "button", "svg", "nobr", NULL,
};
/* Elements that load, run, frame or hide things: gone with their content. */
static const char *const html_drop[] = {
	"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "noembed",
	"noframes", "template", "base", "portal", "math", "canvas", "param", "slot", "dialog", "fencedframe",
	"image", "keygen", "isindex", "bgsound", "marquee", "blink", NULL,
};
static const char *const svg_keep[] = {
	"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
	"defs", "linearGradient", "radialGradient", "stop", "symbol", "use", "title", "desc", "clipPath",
	"mask", "pattern", "marker", "style", NULL,
};
static const char *const void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
	NULL,
};

/* Attributes every HTML element may keep. */
static const char *const html_global[] = {
	"id", "class", "title", "lang", "dir", "hidden", "role", "translate", "accesskey", "tabindex", NULL,
};
/* Attributes that carry no URL, by element ("*" for all). */
static const struct { const char *el, *attr; } html_attrs[] = {
	{ "a", "name" }, { "a", "rel" }, { "a", "hreflang" }, { "a", "type" }, { "a", "download" }, { "a", "target" },
	{ "img", "alt" }, { "img", "width" }, { "img", "height" }, { "img", "loading" }, { "img", "decoding" },
	{ "img", "sizes" }, { "img", "usemap" }, { "img", "border" }, { "img", "align" },
	{ "source", "type" }, { "source", "media" }, { "source", "sizes" }, { "source", "width" }, { "source", "height" },
	{ "video", "controls" }, { "video", "loop" }, { "video", "muted" }, { "video", "preload" }, { "video", "width" },
	{ "video", "height" }, { "video", "playsinline" }, { "audio", "controls" }, { "audio", "loop" },
	{ "audio", "muted" }, { "audio", "preload" }, { "track", "kind" }, { "track", "srclang" },
	{ "track", "label" }, { "track", "default" },
	{ "*", "colspan" }, { "*", "rowspan" }, { "*", "headers" }, { "*", "scope" }, { "*", "align" },
	{ "*", "valign" }, { "*", "width" }, { "*", "height" }, { "*", "border" }, { "*", "cellpadding" },
	{ "*", "cellspacing" }, { "*", "summary" }, { "*", "span" }, { "*", "bgcolor" }, { "*", "nowrap" },
	{ "ol", "start" }, { "ol", "reversed" }, { "ol", "type" }, { "ul", "type" }, { "li", "value" },
	{ "li", "type" }, { "time", "datetime" }, { "data", "value" }, { "del", "datetime" }, { "ins", "datetime" },
	{ "form", "method" }, { "form", "name" }, { "form", "autocomplete" }, { "form", "enctype" },
	{ "form", "novalidate" }, { "form", "accept-charset" },
	{ "input", "type" }, { "input", "name" }, { "input", "value" }, { "input", "placeholder" },
	{ "input", "checked" }, { "input", "disabled" }, { "input", "readonly" }, { "input", "size" },
	{ "input", "maxlength" }, { "input", "minlength" }, { "input", "min" }, { "input", "max" },
	{ "input", "step" }, { "input", "pattern" }, { "input", "required" }, { "input", "autocomplete" },
	{ "input", "multiple" }, { "input", "alt" }, { "input", "list" },
	{ "button", "type" }, { "button", "name" }, { "button", "value" }, { "button", "disabled" },
	{ "select", "name" }, { "select", "multiple" }, { "select", "size" }, { "select", "disabled" },
	{ "select", "required" }, { "option", "value" }, { "option", "selected" }, { "option", "disabled" },
	{ "option", "label" }, { "optgroup", "label" }, { "optgroup", "disabled" },
	{ "textarea", "name" }, { "textarea", "rows" }, { "textarea", "cols" }, { "textarea", "placeholder" },
	{ "textarea", "disabled" }, { "textarea", "readonly" }, { "textarea", "required" }, { "textarea", "wrap" },
	{ "textarea", "maxlength" }, { "label", "for" }, { "output", "for" }, { "output", "name" },
	{ "fieldset", "disabled" }, { "fieldset", "name" }, { "meter", "value" }, { "meter", "min" },
	{ "meter", "max" }, { "meter", "low" }, { "meter", "high" }, { "meter", "optimum" },
	{ "progress", "value" }, { "progress", "max" }, { "details", "open" }, { "font", "color" },
	{ "font", "size" }, { "font", "face" }, { "map", "name" }, { "area", "alt" }, { "area", "shape" },
	{ "area", "coords" }, { "area", "target" }, { "area", "rel" }, { "link", "type" }, { "link", "media" },
	{ "link", "sizes" }, { "style", "media" }, { "col", "span" }, { "colgroup", "span" },
	{ "blockquote", "dir" }, { "html", "xmlns" },
};
static const char *const svg_attrs[] = {
	"id", "class", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "width",
	"height", "viewBox", "points", "transform", "fill", "fill-opacity", "fill-rule", "stroke",
	"stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
	"stroke-dashoffset", "stroke-miterlimit", "opacity", "font-size", "font-family", "font-weight",
	"font-style", "text-anchor", "dominant-baseline", "dx", "dy", "rotate", "offset", "stop-color",
	"stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits",
	"patternContentUnits", "patternTransform", "preserveAspectRatio", "clip-path", "clip-rule", "mask",
	"maskUnits", "maskContentUnits", "clipPathUnits", "marker-start", "marker-mid", "marker-end",
	"markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "visibility", "display",
	"color", "role", "lang", "version", "xmlns", "textLength", "lengthAdjust", "vector-effect", NULL,
};

static const char *
tag_name(const GumboElement *e, char *buf, size_t cap)
{
	GumboStringPiece p = e->original_tag;
	size_t n;

	if (e->tag != GUMBO_TAG_UNKNOWN) {
		const char *s = gumbo_normalized_tagname(e->tag);
		if (e->tag_namespace == GUMBO_NAMESPACE_SVG) {
			GumboStringPiece q = { s, strlen(s) };
			const char *fixed = gumbo_normalize_svg_tagname(&q);
			return fixed ? fixed : s;
		}
		return s;
	}
	gumbo_tag_from_original_text(&p);
	/* a name the parser did not know, from the source: only if it is a
	 * plain one (a NUL in "td\0" made it "td" here, a different element
	 * from the one the parser built); else no name, so never kept */
	n = p.length < cap - 1 ? p.length : cap - 1;
	if (!p.data || !n || p.length >= cap)
		return "";
	{
		size_t i;
		for (i = 0; i < n; i++) {
			char c = p.data[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i && ((c >= '0' && c <= '9') || c == '-'))))
				return "";
		}
	}
	memcpy(buf, p.data, n);
	buf[n] = '\0';
	if (e->tag_namespace == GUMBO_NAMESPACE_SVG) {
		GumboStringPiece q = { buf, n };
		const char *fixed = gumbo_normalize_svg_tagname(&q);
		if (fixed)
			return fixed;
	} else {
		size_t i;
		for (i = 0; i < n; i++)
			if (buf[i] >= 'A' && buf[i] <= 'Z')
				buf[i] = (char)(buf[i] + 32);
	}
	return buf;
}

static enum verdict
judge(const GumboElement *e, const char *name)
{
	if (e->tag_namespace == GUMBO_NAMESPACE_SVG)
		return in_list(name, svg_keep) ? KEEP : DROP;
	if (e->tag_namespace != GUMBO_NAMESPACE_HTML || in_list(name, html_drop))
		return DROP;
	return in_list(name, html_keep) ? KEEP : UNWRAP;
}

static const char *
attr_of(const GumboElement *e, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);

	return a ? a->value : NULL;
}

/* has_token: does the space-separated |list| hold |tok|? */
static int
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (*p) {
		size_t k;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\f' || *p == '\r')
			p++;
		for (k = 0; p[k] && p[k] != ' ' && p[k] != '\t' && p[k] != '\n' && p[k] != '\f' && p[k] != '\r'; k++)
			;
		if (k == n && strncasecmp(p, tok, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* srcset_local: is every candidate's URL in |v| on this node? */
static int
srcset_local(const char *v)
{
	const char *p = v;

	for (;;) {
		const char *u;
		size_t n;
		int depth = 0;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\f' || *p == '\r' || *p == ',')
			p++;
		if (!*p)
			return 1;
		for (u = p; *p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\f' && *p != '\r'; p++)
			;
		n = (size_t)(p - u);
		while (n && u[n - 1] == ',')
			n--;
		if (!url_local(u, n))
			return 0;
		if (p > u && p[-1] == ',')
			continue;
		/* the descriptors, to the next comma outside parentheses */
		for (; *p && !(*p == ',' && depth == 0); p++)
			depth += *p == '(' ? 1 : *p == ')' && depth ? -1 : 0;
	}
}

static void
attr_out(struct out *o, const char *name, const char *value)
{
	puts_(o, " ");
	puts_(o, name);
	puts_(o, "=\"");
	text(o, value, strlen(value), 1);
	puts_(o, "\"");
}

/* url_attr: an attribute that names a URL: kept if it is on this node;
 * a navigating link out is pointed at the warning page. */
static void
url_attr(struct out *o, const char *name, const char *v, int link)
{
	char buf[8192];

	if (url_local(v, strlen(v)))
		attr_out(o, name, v);
	else if (link && url_outside_link(v, strlen(v), buf, sizeof(buf)) == 0)
		attr_out(o, name, buf);
}

static void
style_attr(struct out *o, const char *v)
{
	char *css;
	size_t n;

	if (css_filter(v, strlen(v), 1, &css, &n) != 0) {
		o->oom = 1;
		return;
	}
	if (n)
		attr_out(o, "style", css);
	free(css);
}

static int
html_attr_ok(const char *el, const char *a)
{
	size_t i;

	if (in_list(a, html_global) || strncasecmp(a, "data-", 5) == 0 || strncasecmp(a, "aria-", 5) == 0)
		return 1;
	for (i = 0; i < sizeof(html_attrs) / sizeof(html_attrs[0]); i++)
		if ((html_attrs[i].el[0] == '*' || strcasecmp(html_attrs[i].el, el) == 0) &&
		    strcasecmp(html_attrs[i].attr, a) == 0)
			return 1;
	return 0;
}

/* svg_value_ok: an SVG presentation value may reference only fragments
 * of this document (url(#id)), never a URL to fetch. */
static int
svg_value_ok(const char *v)
{
	const char *p;

	for (p = v; *p; p++) {
		const char *q = p + 4;
		if (strncasecmp(p, "url(", 4) != 0)
			continue;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '"' || *q == '\'')
			q++;
		if (*q != '#')
			return 0;
	}
	return strchr(v, '\\') == NULL; /* no CSS escapes to hide one */
}

static void
attributes(struct out *o, const GumboElement *e, const char *el)
{
	unsigned i;
	int svg = e->tag_namespace == GUMBO_NAMESPACE_SVG;

	for (i = 0; i < e->attributes.length; i++) {
		const GumboAttribute *a = e->attributes.data[i];
		const char *n = a->name, *v = a->value;
		if (svg) {
			if ((strcasecmp(n, "href") == 0 && (!strcasecmp(el, "use") || !strcasecmp(el, "textPath"))) &&
			    v[0] == '#') {
				attr_out(o, a->attr_namespace == GUMBO_ATTR_NAMESPACE_XLINK ? "xlink:href" : "href", v);
				continue;
			}
			if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE && in_list(n, svg_attrs) && svg_value_ok(v)) {
				size_t k;
				for (k = 0; svg_attrs[k] && strcasecmp(svg_attrs[k], n); k++)
					;
				attr_out(o, svg_attrs[k], v);
			} else if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE && strcasecmp(n, "style") == 0) {
				style_attr(o, v);
			}
			continue;
		}
		if (a->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE)
			continue;
		if (strcasecmp(n, "style") == 0) {
			style_attr(o, v);
		} else if (strcasecmp(n, "href") == 0 && (!strcmp(el, "a") || !strcmp(el, "area"))) {
			url_attr(o, "href", v, 1);
		} else if (strcasecmp(n, "href") == 0 && !strcmp(el, "link")) {
			url_attr(o, "href", v, 0);
		} else if (strcasecmp(n, "rel") == 0 && !strcmp(el, "link")) {
			attr_out(o, "rel", has_token(v, "stylesheet") ? "stylesheet" : "icon");
		} else if (strcasecmp(n, "src") == 0 && (!strcmp(el, "img") || !strcmp(el, "source") ||
		    !strcmp(el, "video") || !strcmp(el, "audio") || !strcmp(el, "track") ||
		    (!strcmp(el, "input") && attr_of(e, "type") && !strcasecmp(attr_of(e, "type"), "image")))) {
			url_attr(o, "src", v, 0);
		} else if (strcasecmp(n, "srcset") == 0 && (!strcmp(el, "img") || !strcmp(el, "source"))) {
			if (srcset_local(v))
				attr_out(o, "srcset", v);
		} else if (strcasecmp(n, "poster") == 0 && !strcmp(el, "video")) {
			url_attr(o, "poster", v, 0);
		} else if (strcasecmp(n, "action") == 0 && !strcmp(el, "form")) {
			url_attr(o, "action", v, 0);
		} else if (strcasecmp(n, "formaction") == 0 && (!strcmp(el, "button") || !strcmp(el, "input"))) {
			url_attr(o, "formaction", v, 0);
		} else if ((strcasecmp(n, "cite") == 0 && (!strcmp(el, "blockquote") || !strcmp(el, "q") ||
		    !strcmp(el, "del") || !strcmp(el, "ins"))) || strcasecmp(n, "background") == 0) {
			url_attr(o, n, v, 0);
		} else if (strcasecmp(n, "charset") == 0 || strcasecmp(n, "http-equiv") == 0) {
			continue; /* meta: the page is served as UTF-8 by its header */
		} else if ((strcasecmp(n, "name") == 0 || strcasecmp(n, "content") == 0) && !strcmp(el, "meta")) {
			attr_out(o, n, v);
		} else if (html_attr_ok(el, n)) {
			attr_out(o, n, v);
		}
	}
}

/* keep_element: the last word on elements whose attributes decide. */
static int
keep_element(const GumboElement *e, const char *el)
{
	if (!strcmp(el, "link")) {
		const char *rel = attr_of(e, "rel"), *href = attr_of(e, "href");
		return rel && href && (has_token(rel, "stylesheet") || has_token(rel, "icon")) &&
		    !has_token(rel, "preload") && !has_token(rel, "prefetch") && !has_token(rel, "preconnect") &&
		    url_local(href, strlen(href));
	}
	if (!strcmp(el, "meta")) {
		const char *name = attr_of(e, "name");
		return name && attr_of(e, "content") && !attr_of(e, "http-equiv") &&
		    (!strcasecmp(name, "viewport") || !strcasecmp(name, "description") ||
		    !strcasecmp(name, "author") || !strcasecmp(name, "keywords"));
	}
	return 1;
}

static void walk(struct out *o, const GumboNode *n, int depth);

static void
children(struct out *o, const GumboVector *v, int depth)
{
	unsigned i;

	for (i = 0; i < v->length; i++)
		walk(o, v->data[i], depth + 1);
}

/* child_text: the text of an element whose content is text only. */
static void
child_text(struct out *o, const GumboVector *v)
{
	unsigned i;

	for (i = 0; i < v->length; i++) {
		const GumboNode *c = v->data[i];
		if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE || c->type == GUMBO_NODE_CDATA)
			put(o, c->v.text.text, strlen(c->v.text.text));
	}
}

static void
style_element(struct out *o, const GumboElement *e, int svg)
{
	struct out t = { 0 };
	char *css;
	size_t n;

	child_text(&t, &e->children);
	put(&t, "", 1);
	if (t.oom || css_filter(t.p ? (const char *)t.p : "", t.len ? t.len - 1 : 0, 0, &css, &n) != 0) {
		free(t.p);
		o->oom = 1;
		return;
	}
	free(t.p);
	puts_(o, "<style>");
	if (svg)
		text(o, css, n, 0); /* foreign content: the text is parsed as such */
	else
		put(o, css, n); /* raw text: the CSS filter wrote every '<' escaped */
	puts_(o, "</style>");
	free(css);
}

static void
element(struct out *o, const GumboNode *n, int depth)
{
	const GumboElement *e = &n->v.element;
	char buf[64];
	const char *name = tag_name(e, buf, sizeof(buf));
	enum verdict v = judge(e, name);
	int svg = e->tag_namespace == GUMBO_NAMESPACE_SVG;

	if (v == DROP || depth > DEPTH_MAX)
		return;
	/* An HTML element inside SVG does not read back inside it (a browser
	 * closes the SVG at such a start tag): the tree would not be the one
	 * written. Only SVG is written inside SVG. */
	if (!svg && n->parent && n->parent->type == GUMBO_NODE_ELEMENT &&
	    n->parent->v.element.tag_namespace == GUMBO_NAMESPACE_SVG)
		return;
	if (v == UNWRAP || !keep_element(e, name)) {
		if (!strcmp(name, "xmp") || !strcmp(name, "plaintext") || !strcmp(name, "listing")) {
			struct out t = { 0 };
			child_text(&t, &e->children); /* raw text in the source: escaped here */
			puts_(o, "<pre>");
			if (t.len && t.p[0] == '\n')
				puts_(o, "\n");
			text(o, t.p ? (const char *)t.p : "", t.len, 0);
			puts_(o, "</pre>");
			o->oom |= t.oom;
			free(t.p);
			return;
		}
		children(o, &e->children, depth);
		return;
	}
	if (!strcmp(name, "style")) {
		style_element(o, e, svg);
		return;
	}
	puts_(o, "<");
	puts_(o, name);
	attributes(o, e, name);
	puts_(o, ">");
	if (!svg && in_list(name, void_elements))
		return;
	if (!strcmp(name, "title") || !strcmp(name, "textarea")) {
		struct out t = { 0 };
		child_text(&t, &e->children);
		text(o, t.p ? (const char *)t.p : "", t.len, 0);
		o->oom |= t.oom;
		free(t.p);
	} else {
		/* a <pre>'s first newline is eaten by the parser: write it twice */
		if (!svg && (!strcmp(name, "pre") || !strcmp(name, "listing")) && e->children.length) {
			const GumboNode *c = e->children.data[0];
			if ((c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE) && c->v.text.text[0] == '\n')
				puts_(o, "\n");
		}
		children(o, &e->children, depth);
	}
	puts_(o, "</");
	puts_(o, name);
	puts_(o, ">");
}

static void
walk(struct out *o, const GumboNode *n, int depth)
{
	switch (n->type) {
	case GUMBO_NODE_DOCUMENT:
		if (n->v.document.has_doctype)
			puts_(o, "<!DOCTYPE html>");
		children(o, &n->v.document.children, depth);
		break;
	case GUMBO_NODE_ELEMENT:
		element(o, n, depth);
		break;
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		text(o, n->v.text.text, strlen(n->v.text.text), 0);
		break;
	case GUMBO_NODE_COMMENT:
	case GUMBO_NODE_TEMPLATE:
		break;
	}
}

static int
filter_once(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	GumboOptions opts = kGumboDefaultOptions;
	GumboOutput *g;
	struct out o = { 0 };

	opts.max_errors = 0; /* the errors are not read: do not keep them */
	*out = NULL;
	*outlen = 0;
	if (!(g = gumbo_parse_with_options(&opts, (const char *)in, len)))
		return WISP_ERR_NOMEM;
	walk(&o, g->document, 0);
	gumbo_destroy_output(&opts, g);
	if (o.oom) {
		free(o.p);
		return WISP_ERR_NOMEM;
	}
	if (!o.p && !(o.p = malloc(1)))
		return WISP_ERR_NOMEM;
	*out = o.p;
	*outlen = o.len;
	return 0;
}

static int
html_pass(void *ctx, const char *in, size_t len, char **out, size_t *outlen)
{
	(void)ctx;
	return filter_once((const uint8_t *)in, len, (uint8_t **)out, outlen);
}

/* A page that does not settle (settle.h) is not shown. */
int
html_filter(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	return settle(html_pass, NULL, (const char *)in, len, (char **)out, outlen);
}
