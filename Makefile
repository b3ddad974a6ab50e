# hsmsim — see README.md. `make serve` builds and starts the playground;
# `make test` runs every test (Go, fuzz smoke runs, browser, Worker).

GO       ?= go
ADDR     ?= 127.0.0.1:8080
DIST     := dist
SITE     := $(DIST)/site
BIN      := bin/hsmsim
FUZZTIME ?= 5s

.PHONY: all build native site serve test gotest goldens vet fuzz bench soak clean worker worker-dev worker-deploy

all: build

build: native site

native:
	$(GO) build -o $(BIN) ./cmd/hsmsim

site:
	bash scripts/build-site.sh $(SITE)

serve: build
	$(BIN) serve --addr $(ADDR) --root $(SITE)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# The OpenSSL interop tests need the openssl binary: installed first when
# missing (Debian's package, as root).
gotest:
	bash scripts/need-openssl.sh
	$(GO) test -count=1 ./...

# Rewrite the golden transcripts (testdata/*.md, package engine/internal/golden)
# of every package whose tests replay them. Read each rewritten golden against
# the reference pages it names before committing it.
goldens:
	$(GO) test -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | awk '$$1 !~ /internal\/golden$$/ && / github.com\/hsmsim\/hsmsim\/engine\/internal\/golden( |$$)/ {print $$1}') -update

# The kill -9 tests of the native tool (a terminal and a piped script on a
# state file, killed at random; no acknowledged command may be lost) for
# longer than the few seconds gotest gives them, and the whole corpus of
# damaged state documents (gotest runs a sixth of it).
SOAK ?= 2m
soak:
	HSMSIM_SOAK=$(SOAK) $(GO) test -count=1 -timeout 0 -run 'Kill' -v ./cmd/hsmsim/
	HSMSIM_SOAK=$(SOAK) $(GO) test -count=1 -timeout 0 -run 'Damaged' -v ./engine/state/

# Short fuzz runs of every parser; the corpus seeds run in gotest too.
fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

test: vet gotest fuzz
	bash scripts/test-browser.sh
	bash scripts/test-worker.sh

# The Cloudflare Worker (the API at the edge; the site is its static assets).
worker: site
	bash scripts/build-worker.sh build

worker-dev: site
	bash scripts/build-worker.sh dev

# Deploys with wrangler (needs a Cloudflare login); not part of CI.
worker-deploy: site
	bash scripts/build-worker.sh deploy

bench:
	bash scripts/bench.sh

clean:
	rm -rf $(DIST) bin
