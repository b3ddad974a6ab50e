package main

import (
	"errors"
	"fmt"
)

// Section is one section of a WebAssembly module: its id (0 for custom
// sections, which also have a name), where its contents start in the file
// and how many bytes they take.
type Section struct {
	ID     byte
	Name   string // custom sections only
	Offset int    // of the contents, after the id and the size
	Size   int
	// Header is the number of bytes of the id and the size before Offset.
	Header int
}

// Func is one function defined by the module (not imported): its index in
// the function index space, the name the name section gives it ("" when
// the module has none) and the size of its body in the code section
// (with the body's own size prefix).
type Func struct {
	Index uint32
	Name  string
	Size  int
}

// Module is what the size breakdown needs of a WebAssembly module.
type Module struct {
	Sections []Section
	// Imported is the number of imported functions: the code section's
	// first body is function Imported.
	Imported uint32
	Funcs    []Func
	// DataSegments is the number of segments of the data section.
	DataSegments int
}

var errTruncated = errors.New("wasm: truncated")

// reader reads the module's LEB128 integers, bytes and names, remembering
// the first error (reads after it return zero values).
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// u32 reads an unsigned LEB128 integer of at most 32 bits (five bytes).
func (r *reader) u32() uint32 {
	var v uint32
	for i := 0; i < 5; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if i == 4 && c > 0x0f {
			r.fail(fmt.Errorf("wasm: integer at %d overflows 32 bits", r.off-1))
			return 0
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v
		}
	}
	return v
}

func (r *reader) bytes(n uint32) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)-r.off) {
		r.fail(errTruncated)
		return nil
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *reader) name() string { return string(r.bytes(r.u32())) }

func (r *reader) limits() {
	flags := r.byte()
	r.u32()
	if flags&1 != 0 {
		r.u32()
	}
}

// Parse reads the sections of a WebAssembly binary module, the imports
// (to number the functions), the code section's bodies and the name
// section's function names. It checks only what it reads.
func Parse(b []byte) (*Module, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("wasm: not a WebAssembly module")
	}
	if b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, errors.New("wasm: unsupported version")
	}
	m := &Module{}
	r := &reader{b: b, off: 8}
	names := map[uint32]string{}
	for r.off < len(b) && r.err == nil {
		start := r.off
		id := r.byte()
		size := r.u32()
		if r.err != nil {
			break
		}
		if uint64(size) > uint64(len(b)-r.off) {
			return nil, fmt.Errorf("wasm: section %d at %d is longer than the file", id, start)
		}
		s := Section{ID: id, Offset: r.off, Size: int(size), Header: r.off - start}
		body := &reader{b: b[:r.off+int(size)], off: r.off}
		switch id {
		case 0:
			s.Name = body.name()
			if s.Name == "name" {
				readNames(body, names)
			}
		case 2:
			m.Imported = readImports(body)
		case 10:
			m.Funcs = readCode(body, m.Imported)
		case 11:
			m.DataSegments = int(body.u32())
		}
		if body.err != nil {
			return nil, fmt.Errorf("wasm: section %d: %w", id, body.err)
		}
		m.Sections = append(m.Sections, s)
		r.off += int(size)
	}
	if r.err != nil {
		return nil, r.err
	}
	for i := range m.Funcs {
		m.Funcs[i].Name = names[m.Funcs[i].Index]
	}
	return m, nil
}

func readImports(r *reader) uint32 {
	var funcs uint32
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.name()
		r.name()
		switch kind := r.byte(); kind {
		case 0: // function: its type
			r.u32()
			funcs++
		case 1: // table: element type, limits
			r.byte()
			r.limits()
		case 2: // memory
			r.limits()
		case 3: // global: value type, mutability
			r.byte()
			r.byte()
		default:
			r.fail(fmt.Errorf("unknown import kind %d", kind))
		}
	}
	return funcs
}

func readCode(r *reader, imported uint32) []Func {
	n := r.u32()
	if r.err != nil {
		return nil
	}
	// Every body takes at least two bytes (its size and a local count).
	if uint64(n) > uint64(len(r.b)-r.off)/2+1 {
		r.fail(errTruncated)
		return nil
	}
	funcs := make([]Func, 0, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		start := r.off
		r.bytes(r.u32())
		funcs = append(funcs, Func{Index: imported + i, Size: r.off - start})
	}
	return funcs
}

// readNames reads the function names (subsection 1) of the name section;
// other subsections are skipped.
func readNames(r *reader, names map[uint32]string) {
	for r.off < len(r.b) && r.err == nil {
		id := r.byte()
		sub := r.bytes(r.u32())
		if r.err != nil || id != 1 {
			continue
		}
		s := &reader{b: sub}
		n := s.u32()
		for i := uint32(0); i < n && s.err == nil; i++ {
			idx := s.u32()
			name := s.name()
			if s.err == nil {
				names[idx] = name
			}
		}
		if s.err != nil {
			r.fail(fmt.Errorf("function names: %w", s.err))
		}
	}
}

// Strip returns the module without its name section: what
// `go build -ldflags=-s` produces from the same code.
func Strip(b []byte, m *Module) []byte {
	out := append([]byte(nil), b[:8]...)
	for _, s := range m.Sections {
		if s.ID == 0 && s.Name == "name" {
			continue
		}
		out = append(out, b[s.Offset-s.Header:s.Offset+s.Size]...)
	}
	return out
}
