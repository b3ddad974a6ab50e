//go:build js && wasm

// Command benchfloor is the floor of make bench's cold-load figure: the
// least a Go program can be and still answer the worker (web/worker.js) as
// the engine does. Built by the same toolchain with the same flags as
// engine.wasm and served in its place by the same page and worker, it
// installs globalThis.hsmsimEngine the way wasm/browser's main does — each
// function returns a Promise settled from a goroutine — and answers open
// and exec with fixed replies, with no engine behind them. The engine's
// cold time to its first answer, divided by this program's, is what the
// engine itself costs at start-up.
package main

import (
	"strings"

	"github.com/hack-pad/safejs"
)

// replies are the fixed answers, as the worker parses them: JSON text, or
// an object holding it.
var replies = map[string]func(args []safejs.Value) (any, error){
	"open":   func([]safejs.Value) (any, error) { return `{"prompt":"$ ","mode":"host"}`, nil },
	"reload": func([]safejs.Value) (any, error) { return `{"prompt":"$ ","mode":"host"}`, nil },
	"exec": func(args []safejs.Value) (any, error) {
		line := ""
		if len(args) > 0 {
			line, _ = args[0].String()
		}
		return map[string]any{"reply": `{"output":"","prompt":"$ ","mode":"host","masked":"` + quote(line) + `"}`}, nil
	},
	"interrupt": func([]safejs.Value) (any, error) {
		return map[string]any{"reply": `{"output":"","prompt":"$ ","mode":"host","masked":""}`}, nil
	},
	"complete":    func([]safejs.Value) (any, error) { return `[]`, nil },
	"tourMark":    func([]safejs.Value) (any, error) { return `{}`, nil },
	"tourStatus":  func([]safejs.Value) (any, error) { return `[]`, nil },
	"tourExplain": func([]safejs.Value) (any, error) { return `[]`, nil },
	"listFiles":   func([]safejs.Value) (any, error) { return `[]`, nil },
	"scenarios":   func([]safejs.Value) (any, error) { return `[]`, nil },
	"tourSteps":   func([]safejs.Value) (any, error) { return `[]`, nil },
	"memory":      func([]safejs.Value) (any, error) { return `{}`, nil },
	"summary": func([]safejs.Value) (any, error) {
		return `{"mode":"host","keys":[],"users":[],"nodes":[],"files":[]}`, nil
	},
	"defaults": func([]safejs.Value) (any, error) {
		return map[string]any{"keys": []any{}, "values": []any{}}, nil
	},
}

// quote escapes what JSON needs escaped in a line typed at a prompt.
func quote(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func main() {
	g := safejs.Global()
	promise, err := g.Get("Promise")
	if err != nil {
		panic(err)
	}
	object, err := g.Get("Object")
	if err != nil {
		panic(err)
	}
	api, err := object.New()
	if err != nil {
		panic(err)
	}
	for name, fn := range replies {
		fn := fn
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			var resolve safejs.Value
			executor, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
				resolve = a[0]
				return nil
			})
			if err != nil {
				return nil
			}
			p, err := promise.New(executor)
			executor.Release()
			if err != nil {
				return nil
			}
			go func() {
				v, _ := fn(args)
				_, _ = resolve.Invoke(v)
			}()
			return p
		})
		if err != nil {
			panic(err)
		}
		if err := api.Set(name, f); err != nil {
			panic(err)
		}
	}
	if err := g.Set("hsmsimEngine", api); err != nil {
		panic(err)
	}
	select {}
}
