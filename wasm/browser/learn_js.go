//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"
)

// learnFunctions are the engine functions of learn.go, installed beside
// the workspace functions of bridge.go:
//
//	scenarios()                      -> JSON [{name, title, description}]
//	scenarioRecords(name)            -> records of a built-in scenario
//	tourSteps()                      -> JSON [{id, title, why, commands, tool, notice}] of the first tour
//	tourTours()                      -> JSON [{id, title, intro, tool, steps}] every tour
//	tourMark()                       -> JSON marks of the state a step starts from
//	tourStatus(marks JSON, step?, calls?) -> JSON [{id, done}], every step of the first tour or the
//	                                    one named, judged also from a reply's "calls" JSON
//	tourExplain(calls)               -> JSON [{code, meaning, fix}]  calls: a reply's "calls" JSON
//	tourNotes(calls)                 -> JSON [string]  what a reply's calls show
//	checkpoint()                     -> Uint8Array, the workspace now
//	restore(checkpoint)              -> {records, prompt, mode}; the session keeps its tool and login
//	transcriptMarkdown(steps JSON, seed, scenario) -> Uint8Array (UTF-8 Markdown)
//	transcriptScript(steps JSON)     -> Uint8Array (UTF-8 lines)
func (b *bridge) learnFunctions() map[string]call {
	e := b.e
	return map[string]call{
		"scenarios": func([]safejs.Value) (any, error) {
			return jsonOf(scenarios())
		},
		"scenarioRecords": func(args []safejs.Value) (any, error) {
			name, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			recs, err := scenarioRecords(name)
			if err != nil {
				return nil, err
			}
			return b.records(recs)
		},
		"tourSteps": func([]safejs.Value) (any, error) {
			return jsonOf(tourSteps(), nil)
		},
		"tourTours": func([]safejs.Value) (any, error) {
			return jsonOf(tourTours(), nil)
		},
		"tourNotes": func(args []safejs.Value) (any, error) {
			out, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			return jsonOf(tourNotes(out))
		},
		"tourMark": func([]safejs.Value) (any, error) {
			return jsonOf(e.tourMark())
		},
		"tourStatus": func(args []safejs.Value) (any, error) {
			marks, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			return jsonOf(e.tourStatusAfter(marks, optString(args, 1), optString(args, 2)))
		},
		"tourExplain": func(args []safejs.Value) (any, error) {
			out, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			return jsonOf(tourExplain(out))
		},
		"checkpoint": func([]safejs.Value) (any, error) {
			data, err := e.checkpoint()
			if err != nil {
				return nil, err
			}
			return b.bytes(data)
		},
		"restore": func(args []safejs.Value) (any, error) {
			data, err := argBytes(args, 0)
			if err != nil {
				return nil, err
			}
			recs, o, err := e.restore(data)
			if err != nil {
				return nil, err
			}
			r, err := b.records(recs)
			if err != nil {
				return nil, err
			}
			return map[string]any{"records": r, "prompt": o.Prompt, "mode": o.Mode}, nil
		},
		"transcriptMarkdown": func(args []safejs.Value) (any, error) {
			steps, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			seed, scen := optString(args, 1), optString(args, 2)
			md, err := transcriptMarkdown(steps, seed, scen)
			if err != nil {
				return nil, err
			}
			return b.bytes([]byte(md))
		},
		"transcriptScript": func(args []safejs.Value) (any, error) {
			steps, err := argString(args, 0)
			if err != nil {
				return nil, err
			}
			sc, err := transcriptScript(steps)
			if err != nil {
				return nil, err
			}
			return b.bytes([]byte(sc))
		},
	}
}

// optString is argument i when it is a string, else "".
func optString(args []safejs.Value, i int) string {
	if i < len(args) && args[i].Type() == safejs.TypeString {
		s, _ := args[i].String()
		return s
	}
	return ""
}
