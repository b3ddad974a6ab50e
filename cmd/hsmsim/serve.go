package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hsmsim/hsmsim/server"
)

// serve is "hsmsim serve": the playground site (make site builds it) over
// HTTP on this machine. The engine runs in the browser; this hands out the
// static files, with the headers the page needs: application/wasm so that
// WebAssembly.instantiateStreaming accepts engine.wasm, the precompressed
// .br/.gz copies where the browser takes them, and a Content-Security-Policy
// that allows WebAssembly ('wasm-unsafe-eval') and nothing from elsewhere.
// It also mounts the site's API (package server) at /api/, the same handler
// the Cloudflare Worker runs, with shares kept in a directory (--data), so
// the page's Share button works on a laptop as on the deployed site.
func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hsmsim serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	root := fs.String("root", "dist/site", "serve the site built in `DIR`")
	data := fs.String("data", server.DefaultDataDir(), "keep shared workspaces (POST /api/share) in `DIR`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hsmsim serve [--addr 127.0.0.1:8080] [--root dist/site] [--data DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hsmsim serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := checkSite(*root); err != nil {
		fmt.Fprintf(stderr, "hsmsim serve: %v\n", err)
		return 1
	}
	store, err := server.NewDirStore(*data)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim serve: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runSite(ctx, *addr, *root, store, stdout); err != nil {
		fmt.Fprintf(stderr, "hsmsim serve: %v\n", err)
		return 1
	}
	return 0
}

// runServer serves root on addr until ctx ends, printing the URL first;
// its API has no share store (shares answer 503, /api/run works).
func runServer(ctx context.Context, addr, root string, stdout io.Writer) error {
	return runSite(ctx, addr, root, nil, stdout)
}

// siteAndAPI is everything hsmsim serve answers: the built site, the API
// under /api/, and the site's security headers as the Worker sends them
// (the embed page may be framed by other sites, the rest by none).
func siteAndAPI(root string, store server.Store) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", siteHandler(root))
	mux.Handle("/api/", server.New(server.Options{Store: store}))
	pages := &pageInline{root: root}
	return server.SecurityHeaders(pages.current, mux)
}

// pageInline tells server.SecurityHeaders what the pages under root carry
// inline (their hashes go in the policy), read again whenever a page
// changed, so that a site rebuilt while served is served right.
type pageInline struct {
	root string

	mu    sync.Mutex
	stamp string
	in    server.Inline
}

func (p *pageInline) current() server.Inline {
	var stamp strings.Builder
	filepath.WalkDir(p.root, func(name string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(name), ".html") {
			return nil
		}
		if st, err := d.Info(); err == nil {
			fmt.Fprintf(&stamp, "%s %d %d\n", name, st.Size(), st.ModTime().UnixNano())
		}
		return nil
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if stamp.String() != p.stamp {
		// A page that cannot be read is not served either: what the
		// others carry is enough.
		in, _ := server.SiteInline(p.root)
		p.stamp, p.in = stamp.String(), in
	}
	return p.in
}

// readTimeout bounds the reading of one request, headers and body: a
// client that trickles a body (a byte every few seconds) is cut off instead
// of holding a connection and its buffer for ever. The largest body (a 2 MiB
// share) takes well under a second on any link that can use the site.
var readTimeout = 30 * time.Second

// runSite serves root and the API (shares in store, none when nil) on
// addr until ctx ends.
func runSite(ctx context.Context, addr, root string, store server.Store, stdout io.Writer) error {
	if err := checkSite(root); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           siteAndAPI(root, store),
		ReadHeaderTimeout: readTimeout / 3,
		ReadTimeout:       readTimeout,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(stdout, "hsmsim: serving %s at %s (Ctrl-C stops)\n", root, siteURL(ln.Addr()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// checkSite says what is missing when root holds no built site.
func checkSite(root string) error {
	for _, need := range []string{"index.html", "engine.wasm", "wasm_exec.js"} {
		if st, err := os.Stat(filepath.Join(root, need)); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("%s has no %s: build the site first (make site)", root, need)
		}
	}
	return nil
}

// siteURL is the address to open in a browser.
func siteURL(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := ta.IP.String()
	if ta.IP == nil || ta.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(ta.Port)) + "/"
}

// contentSecurityPolicy lets the page run its own modules, its worker and
// WebAssembly, and load nothing from anywhere else.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"connect-src 'self'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'self'"

// contentTypes are the types of the site's files; anything else is served
// as application/octet-stream.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".ts":          "application/typescript; charset=utf-8",
}

// encodings are the precompressed copies, in order of preference.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// siteHandler serves the files under root.
func siteHandler(root string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// server.SecurityHeaders, around it in hsmsim serve, has chosen the
		// policy by path already (the embed page's differs); alone, the
		// handler sends its own.
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") || p == "/" {
			p = path.Join(p, "index.html")
		}
		name := strings.TrimPrefix(p, "/")
		for _, seg := range strings.Split(name, "/") {
			if strings.HasPrefix(seg, ".") {
				http.NotFound(w, r)
				return
			}
		}
		file := filepath.Join(root, filepath.FromSlash(name))
		base, err := os.Stat(file)
		if err != nil || !base.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		ctype, ok := contentTypes[strings.ToLower(path.Ext(name))]
		if !ok {
			ctype = "application/octet-stream"
		}
		serveFile, encoding, st := file, "", base
		accepted := acceptedEncodings(r.Header.Get("Accept-Encoding"))
		varies := false
		for _, enc := range encodings {
			cst, err := os.Stat(file + enc.ext)
			if err != nil || !cst.Mode().IsRegular() {
				continue
			}
			varies = true
			if ok, listed := accepted[enc.name]; encoding == "" && (ok || !listed && accepted["*"]) {
				serveFile, encoding, st = file+enc.ext, enc.name, cst
			}
		}
		f, err := os.Open(serveFile)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		if varies {
			h.Add("Vary", "Accept-Encoding")
		}
		if encoding != "" {
			h.Set("Content-Encoding", encoding)
		}
		h.Set("Content-Type", ctype)
		// Revalidate every time (a rebuilt site is picked up at once); the
		// ETag makes that a 304 without a body.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", fmt.Sprintf(`"%x-%x%s"`, st.Size(), st.ModTime().UnixNano(), map[string]string{"br": "-br", "gzip": "-gz"}[encoding]))
		http.ServeContent(w, r, name, st.ModTime(), f)
	})
}

// acceptedEncodings reads Accept-Encoding: each coding named, true when its
// q is above 0.
func acceptedEncodings(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		coding := strings.ToLower(strings.TrimSpace(fields[0]))
		if coding == "" {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			p = strings.TrimSpace(p)
			if v, ok := strings.CutPrefix(p, "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		out[coding] = q > 0
	}
	return out
}
