package server

import (
	"net/http"
	"strings"
)

// The site's Content-Security-Policy. The page and its Web Worker load
// only their own scripts and the engine's wasm ('wasm-unsafe-eval' lets
// WebAssembly compile without allowing eval), fetch only from the same
// origin (engine.wasm, /api/...), and nothing may put them in a frame, so a
// hostile page cannot overlay the console and catch a learner's typing.
// The pages' own inline scripts and style elements are allowed by their
// hashes (Inline), nothing else inline.
func sitePolicy(in Inline, frameAncestors string) string {
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" + sources(in.Scripts) + "; style-src 'self'" + sources(in.Styles) + "; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
}

// Policies are the Content-Security-Policies of a site whose pages carry
// the inline code in: Site for every page but the embed page, Embed for the
// embed page, which documentation sites put in an iframe: any site may
// frame it, and it holds nothing but a throw-away demo cluster.
type Policies struct{ Site, Embed string }

// PoliciesFor returns the site's policies, allowing the inline code in.
func PoliciesFor(in Inline) Policies {
	return Policies{Site: sitePolicy(in, "'none'"), Embed: sitePolicy(in, "*")}
}

var (
	// SiteCSP and EmbedCSP are the policies of a site with nothing inline
	// (the API's answers outside /api/ get SiteCSP).
	SiteCSP  = PoliciesFor(Inline{}).Site
	EmbedCSP = PoliciesFor(Inline{}).Embed
)

const (
	// APICSP is sent with API answers: JSON is never a document to render,
	// so it may load nothing and be framed by nobody.
	APICSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

	// ReferrerPolicy keeps share ids in the address bar from leaking to
	// other sites through the Referer header.
	ReferrerPolicy = "no-referrer"
	// PermissionsPolicy turns off browser features the site never uses.
	PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
)

// EmbedPaths are the paths of the embed page, the one page that may be
// framed by other sites.
var EmbedPaths = []string{"/embed.html", "/embed", "/embed/"}

// ModulePaths are the files other sites load as scripts: embed.js, which a
// documentation page loads with <script type="module"> or import, and its
// type declarations. A module script from another origin runs only when
// its answer carries Access-Control-Allow-Origin, and a page with
// Cross-Origin-Embedder-Policy needs Cross-Origin-Resource-Policy too.
// They hold no secret (the same for every visitor, no cookies), so any
// origin may read them. embed.js loads nothing else: its console is an
// iframe of the embed page, a navigation that needs no CORS.
var ModulePaths = []string{"/embed.js", "/embed.d.ts"}

// IsModulePath reports whether path is one of ModulePaths.
func IsModulePath(path string) bool {
	for _, p := range ModulePaths {
		if path == p {
			return true
		}
	}
	return false
}

// IsEmbedPath reports whether path is the embed page.
func IsEmbedPath(path string) bool {
	for _, p := range EmbedPaths {
		if path == p {
			return true
		}
	}
	return false
}

// setSecurityHeaders sets the headers every response carries, chosen by
// the request path: the API, the embed page, or any other page or asset.
func setSecurityHeaders(h http.Header, path string, p Policies) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", ReferrerPolicy)
	h.Set("Permissions-Policy", PermissionsPolicy)
	switch {
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		h.Set("Content-Security-Policy", APICSP)
		h.Set("X-Frame-Options", "DENY")
	case IsEmbedPath(path):
		h.Set("Content-Security-Policy", p.Embed)
		h.Del("X-Frame-Options")
	default:
		h.Set("Content-Security-Policy", p.Site)
		h.Set("X-Frame-Options", "DENY")
	}
	if IsModulePath(path) {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
}

// SecurityHeaders wraps a whole site (static files and API) so every
// response carries the security headers, including the static server's
// own 404s and redirects; inline returns what the site's pages carry
// inline now (SiteInline), asked at each request so that a site rebuilt
// in place is served with its own hashes. `hsmsim serve` puts it around
// its mux; the API handler sets the same headers itself, so it is safe on
// its own too.
func SecurityHeaders(inline func() Inline, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header(), r.URL.Path, PoliciesFor(inline()))
		next.ServeHTTP(w, r)
	})
}

// CloudflareHeaders is the _headers file for the Worker's static assets.
// Cloudflare serves assets without running the Worker, so the headers the
// Go handler sets never reach them; this file gives them the same policy.
// A request matching several rules gets all their headers, so the embed
// rules first detach (!) the site-wide CSP and frame denial, then set the
// embed policy. embed.js and its types add the CORS headers other sites'
// module scripts need (ModulePaths). in is what the built pages carry
// inline (SiteInline of the site's folder).
func CloudflareHeaders(in Inline) string {
	pol := PoliciesFor(in)
	var b strings.Builder
	b.WriteString("# Written by scripts/build-worker.sh from server.CloudflareHeaders; do not edit.\n")
	b.WriteString("/*\n")
	b.WriteString("  Content-Security-Policy: " + pol.Site + "\n")
	b.WriteString("  X-Frame-Options: DENY\n")
	b.WriteString("  X-Content-Type-Options: nosniff\n")
	b.WriteString("  Referrer-Policy: " + ReferrerPolicy + "\n")
	b.WriteString("  Permissions-Policy: " + PermissionsPolicy + "\n")
	for _, p := range EmbedPaths {
		if strings.HasSuffix(p, "/") {
			continue
		}
		b.WriteString(p + "\n")
		b.WriteString("  ! Content-Security-Policy\n")
		b.WriteString("  ! X-Frame-Options\n")
		b.WriteString("  Content-Security-Policy: " + pol.Embed + "\n")
	}
	for _, p := range ModulePaths {
		b.WriteString(p + "\n")
		b.WriteString("  Access-Control-Allow-Origin: *\n")
		b.WriteString("  Cross-Origin-Resource-Policy: cross-origin\n")
	}
	return b.String()
}
