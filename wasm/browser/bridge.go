//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hack-pad/safejs"

	"github.com/hsmsim/hsmsim/engine/state"
)

// bridge turns the engine's Go methods into JavaScript functions that
// return Promises.
type bridge struct {
	e    *engine
	quit chan int

	promise, uint8Array, errorCtor, object safejs.Value
}

// install sets globalThis.hsmsimEngine. quit receives an exit code when
// the program must end.
func install(e *engine, quit chan int) error {
	g := safejs.Global()
	b := &bridge{e: e, quit: quit}
	for _, c := range []struct {
		name string
		dst  *safejs.Value
	}{{"Promise", &b.promise}, {"Uint8Array", &b.uint8Array}, {"Error", &b.errorCtor}, {"Object", &b.object}} {
		v, err := g.Get(c.name)
		if err != nil {
			return fmt.Errorf("no %s in this JavaScript environment: %w", c.name, err)
		}
		*c.dst = v
	}
	api, err := b.object.New()
	if err != nil {
		return err
	}
	fns := b.functions()
	maps.Copy(fns, b.learnFunctions())
	for name, fn := range fns {
		if err := b.export(api, name, fn); err != nil {
			return fmt.Errorf("installing %s: %w", name, err)
		}
	}
	return g.Set("hsmsimEngine", api)
}

// call is one exported function: it reads its arguments and returns a
// value for js.ValueOf (strings, numbers, maps, slices of any, safejs
// values).
type call func(args []safejs.Value) (any, error)

func (b *bridge) functions() map[string]call {
	e := b.e
	return map[string]call{
		"defaults": func([]safejs.Value) (any, error) {
			recs, err := defaultRecords()
			if err != nil {
				return nil, err
			}
			return b.records(recs)
		},
		"open": func(args []safejs.Value) (any, error) {
			recs, schema, bad, err := argRecords(args, 0)
			if err != nil {
				return nil, err
			}
			if len(bad) > 0 {
				// Only this workspace is damaged: it is refused as the
				// other kinds of damage are, and can be salvaged.
				e.mu.Lock()
				e.sess, e.tr = nil, nil
				e.mu.Unlock()
				return nil, undecodable(bad)
			}
			seed := ""
			if len(args) > 1 && args[1].Type() == safejs.TypeString {
				seed, _ = args[1].String()
			}
			return openedJSON(e.open(recs, schema, seed))
		},
		"reload": func(args []safejs.Value) (any, error) {
			recs, schema, bad, err := argRecords(args, 0)
			if err != nil {
				return nil, err
			}
			if len(bad) > 0 {
				return nil, undecodable(bad)
			}
			return openedJSON(e.reload(recs, schema))
		},
		"records": func([]safejs.Value) (any, error) {
			recs, err := e.records()
			if err != nil {
				return nil, err
			}
			return b.records(recs)
		},
		"rollback": func(args []safejs.Value) (any, error) {
			recs, schema, bad, err := argRecords(args, 0)
			if err != nil {
				return nil, err
			}
			if len(bad) > 0 {
				return nil, undecodable(bad)
			}
			return openedJSON(e.rollback(recs, schema))
		},
		"exec": func(args []safejs.Value) (any, error) {
			line, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			res, err := e.exec(line)
			if err != nil {
				return nil, err
			}
			return b.execResult(res)
		},
		"interrupt": func([]safejs.Value) (any, error) {
			res, err := e.interrupt()
			if err != nil {
				return nil, err
			}
			return b.execResult(res)
		},
		"saved": func([]safejs.Value) (any, error) {
			e.saved()
			return nil, nil
		},
		"complete": func(args []safejs.Value) (any, error) {
			line, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			return jsonOf(e.complete(line))
		},
		"completions": func(args []safejs.Value) (any, error) {
			line, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			return jsonOf(e.completions(line))
		},
		"summary": func([]safejs.Value) (any, error) {
			return e.summaryJSON()
		},
		"listFiles": func([]safejs.Value) (any, error) {
			return jsonOf(e.listFiles())
		},
		"readFile": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			data, err := e.readFile(name)
			if err != nil {
				return nil, err
			}
			return b.bytes(data)
		},
		"writeFile": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			data, err := argBytes(args, 1)
			if err != nil {
				return nil, err
			}
			d, err := e.writeFile(name, data)
			if err != nil {
				return nil, err
			}
			return b.delta(d)
		},
		"removeFile": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			d, err := e.removeFile(name)
			if err != nil {
				return nil, err
			}
			return b.delta(d)
		},
		"exportBackup": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			history, err := argHistory(args, 1)
			if err != nil {
				return nil, err
			}
			data, err := e.exportBackup(name, history)
			if err != nil {
				return nil, err
			}
			return b.bytes(data)
		},
		"importBackup": func(args []safejs.Value) (any, error) {
			data, err := argBytes(args, 0)
			if err != nil {
				return nil, err
			}
			name, history, recs, err := importBackup(data)
			if err != nil {
				return nil, err
			}
			h, err := json.Marshal(history)
			if err != nil {
				return nil, err
			}
			r, err := b.records(recs)
			if err != nil {
				return nil, err
			}
			return map[string]any{"name": name, "history": string(h), "records": r}, nil
		},
		"salvage": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			history, err := argHistory(args, 1)
			if err != nil {
				return nil, err
			}
			recs, schema, bad, err := argRecords(args, 2)
			if err != nil {
				return nil, err
			}
			data, skipped, err := salvage(name, history, recs, schema, bad)
			if err != nil {
				return nil, err
			}
			out, err := b.bytes(data)
			if err != nil {
				return nil, err
			}
			return map[string]any{"backup": out, "skipped": anySlice(skipped)}, nil
		},
		"memory": func([]safejs.Value) (any, error) {
			return jsonOf(memory(), nil)
		},
		"exit": func(args []safejs.Value) (any, error) {
			code := 0
			if len(args) > 0 && args[0].Type() == safejs.TypeNumber {
				code, _ = args[0].Int()
			}
			select {
			case b.quit <- code:
			default:
			}
			return nil, nil
		},
	}
}

// export installs fn as api[name]: a function that returns a Promise at
// once and settles it from a goroutine, so the callback itself never
// blocks.
func (b *bridge) export(api safejs.Value, name string, fn call) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		p, err := b.start(func() (any, error) { return fn(args) })
		if err != nil {
			return b.errorValue(err)
		}
		return p
	})
	if err != nil {
		return err
	}
	return api.Set(name, f)
}

// start creates a Promise and runs work in a goroutine to settle it. A
// panic in work rejects the Promise as an internal error and then ends the
// program: its state can no longer be trusted, and the worker starts a
// fresh instance from the saved workspace.
func (b *bridge) start(work func() (any, error)) (safejs.Value, error) {
	var resolve, reject safejs.Value
	executor, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		if len(a) >= 2 {
			resolve, reject = a[0], a[1]
		}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	p, err := b.promise.New(executor)
	executor.Release()
	if err != nil {
		return safejs.Value{}, err
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				_, _ = reject.Invoke(b.errorValue(&engineError{kindInternal, fmt.Errorf("internal error: %v", r)}))
				select {
				case b.quit <- 3:
				default:
				}
			}
		}()
		v, err := work()
		if err != nil {
			_, _ = reject.Invoke(b.errorValue(err))
			return
		}
		if _, err := resolve.Invoke(v); err != nil {
			_, _ = reject.Invoke(b.errorValue(fmt.Errorf("cannot pass the result to JavaScript: %w", err)))
		}
	}()
	return p, nil
}

// errorValue is a JavaScript Error with the error's kind.
func (b *bridge) errorValue(err error) safejs.Value {
	v, nerr := b.errorCtor.New(err.Error())
	if nerr != nil {
		return safejs.Null()
	}
	_ = v.Set("kind", errorKind(err))
	return v
}

func (b *bridge) bytes(data []byte) (safejs.Value, error) {
	u, err := b.uint8Array.New(len(data))
	if err != nil {
		return safejs.Value{}, err
	}
	if _, err := safejs.CopyBytesToJS(u, data); err != nil {
		return safejs.Value{}, err
	}
	return u, nil
}

// records is {keys, values} in key order.
func (b *bridge) records(recs map[string][]byte) (map[string]any, error) {
	keys := slices.Sorted(maps.Keys(recs))
	ks := make([]any, len(keys))
	vs := make([]any, len(keys))
	for i, k := range keys {
		v, err := b.bytes(recs[k])
		if err != nil {
			return nil, err
		}
		ks[i], vs[i] = k, v
	}
	return map[string]any{"keys": ks, "values": vs}, nil
}

func (b *bridge) delta(d *delta) (map[string]any, error) {
	if d == nil {
		return map[string]any{"puts": nil, "dels": []any{}}, nil
	}
	puts, err := b.records(d.Puts)
	if err != nil {
		return nil, err
	}
	return map[string]any{"puts": puts, "dels": anySlice(d.Dels)}, nil
}

func (b *bridge) execResult(res execResult) (map[string]any, error) {
	reply := res.appendJSON()
	out, err := b.delta(res.delta)
	if err != nil {
		return nil, err
	}
	out["reply"] = string(reply)
	return out, nil
}

func jsonOf(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func anySlice(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func argString(args []safejs.Value, i int) (string, error) {
	if i >= len(args) || args[i].Type() != safejs.TypeString {
		return "", invalid("argument %d must be a string", i+1)
	}
	return args[i].String()
}

// argBytes copies a Uint8Array argument.
func argBytes(args []safejs.Value, i int) ([]byte, error) {
	if i >= len(args) || args[i].Type() != safejs.TypeObject {
		return nil, invalid("argument %d must be a Uint8Array", i+1)
	}
	return bytesOf(args[i])
}

func bytesOf(v safejs.Value) ([]byte, error) {
	n, err := v.Length()
	if err != nil {
		return nil, invalid("not a Uint8Array: %v", err)
	}
	out := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(out, v); err != nil {
		return nil, invalid("not a Uint8Array: %v", err)
	}
	return out, nil
}

// undecodable is the damage of records whose stored value is not bytes.
func undecodable(bad []string) error {
	return loadError(fmt.Errorf("workspace is damaged: record %q is not a Uint8Array", bad[0]))
}

// argRecords reads {keys: string[], values: Uint8Array[], schema?: number}
// or {packed: Uint8Array, schema?: number} (the records packed into one
// buffer, packed.go: what the worker sends, one copy for all of them);
// schema is the record schema they were stored in (state.RecordSchema
// when not given). A value that is not a Uint8Array (a damaged store) is
// not an error of the call: its key is listed in bad, so the workspace is
// refused as damaged.
func argRecords(args []safejs.Value, i int) (recs map[string][]byte, schema int, bad []string, err error) {
	if i >= len(args) || args[i].Type() != safejs.TypeObject {
		return nil, 0, nil, invalid("argument %d must be records {keys, values}", i+1)
	}
	packed, err1 := args[i].Get("packed")
	sv, err2 := args[i].Get("schema")
	if err := errors.Join(err1, err2); err != nil {
		return nil, 0, nil, invalid("records: %v", err)
	}
	schema = state.RecordSchema
	switch sv.Type() {
	case safejs.TypeUndefined, safejs.TypeNull:
	case safejs.TypeNumber:
		if schema, err = sv.Int(); err != nil {
			return nil, 0, nil, invalid("records: schema: %v", err)
		}
	default:
		return nil, 0, nil, invalid("records: schema must be a number")
	}
	if packed.Type() != safejs.TypeUndefined {
		if packed.Type() != safejs.TypeObject {
			return nil, 0, nil, invalid("records: packed must be a Uint8Array")
		}
		b, err := bytesOf(packed)
		if err != nil {
			return nil, 0, nil, err
		}
		recs, bad, err := unpackRecords(b)
		if err != nil {
			return nil, 0, nil, invalid("%v", err)
		}
		slices.Sort(bad)
		return recs, schema, bad, nil
	}
	keys, err1 := args[i].Get("keys")
	values, err2 := args[i].Get("values")
	if err := errors.Join(err1, err2); err != nil {
		return nil, 0, nil, invalid("records: %v", err)
	}
	n, err1 := keys.Length()
	m, err2 := values.Length()
	if err := errors.Join(err1, err2); err != nil || n != m {
		return nil, 0, nil, invalid("records need as many values as keys")
	}
	out := make(map[string][]byte, n)
	for j := 0; j < n; j++ {
		k, err := keys.Index(j)
		if err != nil || k.Type() != safejs.TypeString {
			return nil, 0, nil, invalid("record key %d is not a string", j)
		}
		key, err := k.String()
		if err != nil {
			return nil, 0, nil, invalid("record key %d: %v", j, err)
		}
		v, err := values.Index(j)
		if err != nil || v.Type() != safejs.TypeObject {
			bad = append(bad, key)
			continue
		}
		data, err := bytesOf(v)
		if err != nil {
			bad = append(bad, key)
			continue
		}
		out[key] = data
	}
	slices.Sort(bad)
	return out, schema, bad, nil
}

// argHistory reads a JSON array of strings.
func argHistory(args []safejs.Value, i int) ([]string, error) {
	s, err := argString(args, i)
	if err != nil {
		return nil, err
	}
	var h []string
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return nil, invalid("history must be a JSON array of strings: %v", err)
	}
	return h, nil
}
