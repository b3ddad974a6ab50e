module github.com/hsmsim/hsmsim

go 1.26.0

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/cloudflare/circl v1.6.5
	github.com/creack/pty v1.1.24
	github.com/hack-pad/safejs v0.1.1
	github.com/stretchr/testify v1.11.1
	github.com/syumai/workers v0.32.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
