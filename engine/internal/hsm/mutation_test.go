package hsm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The cluster records its own changes only if nothing else changes it. This
// test type-checks every non-test Go file of the module outside this
// package and fails on a write that reaches a live cluster from outside:
//
//   - an assignment, ++/--, delete, clear, copy or in-place sort of a field
//     of hsm.Cluster or hsm.Node, or of something reached through one
//     (n.Objects[h] = o, n.Up = false, c.Cursor = h), unless it is a local
//     copy of the struct value (state.Encode trims a copy for saving);
//   - the same of a field of hsm.Object, hsm.User or hsm.QuorumToken that
//     was reached through a cluster: through a field of a Cluster or Node
//     (n.Objects[h].Label), a method of this package that returns one
//     (c.Object(h), c.Lookup, n.User(id), n.FindUser), or a variable that
//     holds one of those (o := n.Objects[h]; o.Shared = ...), or a call of
//     a mutating method on it (SecretDefaults, ...).
//
// Objects and users a tool builds before handing them to the cluster
// (&hsm.Object{...}, o.Clone()) are not the cluster's, and may be written.
//
// It also fails on any read of a live node's Objects map from outside: the
// map lacks the keys whose records are not decoded yet (lazy.go), which
// only the node's methods see.
const (
	modulePath = "github.com/hsmsim/hsmsim"
	hsmPath    = modulePath + "/engine/internal/hsm"
)

type listedPackage struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	Module     *struct{ Path string }
}

func TestOnlyHSMChangesClusters(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	found := mutationsOutsideHSM(t, root)
	if len(found) > 0 {
		t.Errorf("packages outside engine/internal/hsm change clusters directly; use a method of hsm, which records the change:\n%s",
			strings.Join(found, "\n"))
	}
}

// mutationsOutsideHSM lists the offending writes of the module at root, one
// "file:line: what" each.
func mutationsOutsideHSM(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	var mine []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if p.Module != nil && p.Module.Path == modulePath && p.ImportPath != hsmPath {
			mine = append(mine, p)
		}
	}
	if len(mine) < 10 {
		t.Fatalf("go list found only %d packages of the module", len(mine))
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if exports[path] == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(exports[path])
	})
	var found []string
	for _, p := range mine {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
		}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", p.ImportPath, err)
		}
		for _, f := range files {
			w := &walker{fset: fset, info: info, root: root, tainted: map[types.Object]bool{}}
			ast.Inspect(f, w.visit)
			found = append(found, w.found...)
		}
	}
	slices.Sort(found)
	return found
}

// hsmType names the type of this package that t is or points to.
func hsmType(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != hsmPath {
		return ""
	}
	return n.Obj().Name()
}

// holdsHSM reports whether a value of type t refers to something of this
// package (a pointer to it, a slice or map of such), so that holding it
// lets one change a cluster.
func holdsHSM(t types.Type) bool {
	switch t := t.(type) {
	case *types.Pointer:
		return hsmType(t) != ""
	case *types.Slice:
		return holdsHSM(t.Elem()) || hsmType(t.Elem()) != ""
	case *types.Map:
		return holdsHSM(t.Elem())
	case *types.Tuple:
		for v := range t.Variables() {
			if holdsHSM(v.Type()) {
				return true
			}
		}
	}
	return false
}

// mutators are the methods of this package's values that change them.
var mutators = map[string]bool{"SecretDefaults": true, "PublicDefaults": true, "PrivateDefaults": true}

type walker struct {
	fset    *token.FileSet
	info    *types.Info
	root    string
	tainted map[types.Object]bool // variables that hold part of a cluster
	found   []string
}

func (w *walker) report(n ast.Node, what string) {
	pos := w.fset.Position(n.Pos())
	if rel, err := filepath.Rel(w.root, pos.Filename); err == nil {
		pos.Filename = rel
	}
	w.found = append(w.found, fmt.Sprintf("%s:%d: %s", pos.Filename, pos.Line, what))
}

// field returns the hsm type whose field sel selects.
func (w *walker) field(sel *ast.SelectorExpr) string {
	s := w.info.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal {
		return ""
	}
	return hsmType(s.Recv())
}

// reaches reports whether e is, or is reached through, part of a cluster.
func (w *walker) reaches(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return w.reaches(e.X)
	case *ast.Ident:
		return w.tainted[w.info.Uses[e]]
	case *ast.SelectorExpr:
		switch w.field(e) {
		case "Cluster", "Node":
			return true
		case "":
			return false
		}
		return w.reaches(e.X)
	case *ast.IndexExpr:
		return w.reaches(e.X)
	case *ast.StarExpr:
		return w.reaches(e.X)
	case *ast.UnaryExpr:
		return e.Op == token.AND && w.reaches(e.X)
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		fn, ok := w.info.Uses[sel.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != hsmPath || fn.Name() == "Clone" {
			return false
		}
		return holdsHSM(fn.Type().(*types.Signature).Results())
	}
	return false
}

// localCopy reports whether e is a local variable holding a struct value of
// this package (not a pointer): writing its fields changes no cluster.
func (w *walker) localCopy(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	obj := w.info.Uses[id]
	if obj == nil {
		return false
	}
	_, isPtr := obj.Type().(*types.Pointer)
	return !isPtr && hsmType(obj.Type()) != "" && !w.tainted[obj]
}

// write checks an expression that is written to.
func (w *walker) write(at ast.Node, e ast.Expr, how string) {
	for e != nil {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			typ := hsmType(w.info.TypeOf(x.X))
			if typ == "Cluster" || typ == "Node" || typ != "" && w.reaches(x.X) {
				w.report(at, fmt.Sprintf("%s a whole hsm.%s", how, typ))
				return
			}
			e = x.X
		case *ast.SelectorExpr:
			switch typ := w.field(x); typ {
			case "":
			case "Cluster", "Node":
				if !w.localCopy(x.X) {
					w.report(at, fmt.Sprintf("%s hsm.%s.%s", how, typ, x.Sel.Name))
					return
				}
			default:
				if w.reaches(x.X) {
					w.report(at, fmt.Sprintf("%s hsm.%s.%s of a cluster", how, typ, x.Sel.Name))
					return
				}
			}
			e = x.X
		default:
			return
		}
	}
}

// mark notes that the variable id names holds part of a cluster.
func (w *walker) mark(id ast.Expr) {
	ident, ok := id.(*ast.Ident)
	if !ok || ident.Name == "_" {
		return
	}
	obj := w.info.Defs[ident]
	if obj == nil {
		obj = w.info.Uses[ident]
	}
	if obj != nil && holdsHSM(obj.Type()) {
		w.tainted[obj] = true
	}
}

func (w *walker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.AssignStmt:
		if n.Tok != token.DEFINE {
			for _, l := range n.Lhs {
				w.write(n, l, "assigns")
			}
		}
		if len(n.Lhs) == len(n.Rhs) {
			for i, r := range n.Rhs {
				if w.reaches(r) {
					w.mark(n.Lhs[i])
				}
			}
		} else if len(n.Rhs) == 1 && w.reaches(n.Rhs[0]) {
			for _, l := range n.Lhs {
				w.mark(l)
			}
		}
	case *ast.ValueSpec:
		for i, v := range n.Values {
			if i < len(n.Names) && w.reaches(v) {
				w.mark(n.Names[i])
			}
		}
	case *ast.RangeStmt:
		if w.reaches(n.X) {
			if n.Key != nil {
				w.mark(n.Key)
			}
			if n.Value != nil {
				w.mark(n.Value)
			}
		}
		if n.Tok == token.ASSIGN {
			if n.Key != nil {
				w.write(n, n.Key, "assigns")
			}
			if n.Value != nil {
				w.write(n, n.Value, "assigns")
			}
		}
	case *ast.IncDecStmt:
		w.write(n, n.X, "increments")
	case *ast.CallExpr:
		w.call(n)
	case *ast.SelectorExpr:
		// A node's map holds only the keys decoded so far (lazy.go).
		if w.field(n) == "Node" && n.Sel.Name == "Objects" && !w.localCopy(n.X) {
			w.report(n, "reads hsm.Node.Objects, which lacks the keys not decoded yet: use Object, Has, Handles, KeyCount, AllObjects or LoadedObjects")
		}
	}
	return true
}

// call checks the builtins and library functions that change their first
// argument in place, and the mutating methods of this package's values.
func (w *walker) call(n *ast.CallExpr) {
	switch fun := n.Fun.(type) {
	case *ast.Ident:
		if _, ok := w.info.Uses[fun].(*types.Builtin); ok && len(n.Args) > 0 {
			switch fun.Name {
			case "delete":
				w.write(n, n.Args[0], "deletes from")
			case "clear":
				w.write(n, n.Args[0], "clears")
			case "copy":
				w.write(n, n.Args[0], "copies into")
			}
		}
	case *ast.SelectorExpr:
		fn, ok := w.info.Uses[fun.Sel].(*types.Func)
		if !ok || fn.Pkg() == nil {
			return
		}
		switch path := fn.Pkg().Path(); {
		case (path == "slices" || path == "sort") && len(n.Args) > 0 &&
			(strings.HasPrefix(fn.Name(), "Sort") || strings.HasPrefix(fn.Name(), "Delete") ||
				slices.Contains([]string{"Reverse", "Insert", "Replace", "Ints", "Strings", "Slice", "SliceStable", "Stable", "Compact", "CompactFunc"}, fn.Name())):
			w.write(n, n.Args[0], "calls "+path+"."+fn.Name()+" on")
		case path == hsmPath && mutators[fn.Name()] && w.reaches(fun.X):
			w.report(n, "calls "+fn.Name()+" on a cluster's "+hsmType(w.info.TypeOf(fun.X)))
		}
	}
}
