package state_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// jrnOpen opens the workspace at path, starting the default one when there
// is none, and returns the journal and a session on its cluster.
func jrnOpen(t *testing.T, path string) (*state.Journal, *shell.Session) {
	t.Helper()
	j, c, files, err := state.OpenJournal(path)
	require.NoError(t, err)
	opt := shell.Options{Rand: shell.SeededRand(7)}
	if c != nil {
		opt.Cluster, opt.Files = c, files
	}
	s, err := shell.New(opt)
	require.NoError(t, err)
	if c == nil {
		require.NoError(t, j.Create(s.Cluster, s.Files()))
	}
	return j, s
}

// jrnRun runs lines, saving after each that changed something.
func jrnRun(t *testing.T, j *state.Journal, s *shell.Session, lines ...string) {
	t.Helper()
	for _, l := range lines {
		rep := s.Exec(l)
		if rep.Changed {
			require.NoError(t, j.Save(s.Cluster, s.Files()), l)
		}
	}
}

// jrnDoc is the workspace as a document without session keys, to compare
// two clusters.
func jrnDoc(t *testing.T, s *shell.Session) string {
	t.Helper()
	b, err := state.Encode(s.Cluster, s.Files())
	require.NoError(t, err)
	return string(b)
}

func jrnNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestJournalKeepsEverySavedCommand(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	j, s := jrnOpen(t, p)
	before, err := os.ReadFile(p)
	require.NoError(t, err)
	jrnRun(t, j, s, recReplay...)
	after, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, before, after, "saves append to the journal; the document is rewritten only by compaction")
	want := jrnDoc(t, s)
	require.NoError(t, j.Close())

	j2, s2 := jrnOpen(t, p)
	defer j2.Close()
	assert.Equal(t, want, jrnDoc(t, s2), "the journal rebuilds exactly the live cluster")
	assert.Empty(t, j2.Notes)
	assert.Equal(t, []string{"ws.json", "ws.json.journal", "ws.json.lock"}, jrnNames(t, dir))
	jl, err := os.ReadFile(p + ".journal")
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(jl, []byte("\n")), "opening folds the journal into the document")
}

func TestJournalDropsATornLastRecord(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ws.json")
	j, s := jrnOpen(t, p)
	jrnRun(t, j, s, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l kept")
	want := jrnDoc(t, s)
	jrnRun(t, j, s, "genSymKey -t 31 -s 32 -l torn")
	require.NoError(t, j.Close())
	// The process stopped while writing the last line.
	jl, err := os.ReadFile(p + ".journal")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p+".journal", jl[:len(jl)-40], 0o600))

	j2, s2 := jrnOpen(t, p)
	defer j2.Close()
	require.Len(t, j2.Notes, 1)
	assert.Contains(t, j2.Notes[0], "ws.json.journal: the last saved command was cut short")
	assert.Equal(t, want, jrnDoc(t, s2))
}

func TestJournalRefusesADamagedRecordAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	j, s := jrnOpen(t, p)
	jrnRun(t, j, s, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l one", "genSymKey -t 31 -s 32 -l two")
	require.NoError(t, j.Close())
	jl, err := os.ReadFile(p + ".journal")
	require.NoError(t, err)
	lines := strings.SplitAfter(string(jl), "\n")
	// A byte changed in the first saved command, which is not the last.
	bad := []byte(lines[1])
	bad[100] ^= 1
	lines[1] = string(bad)
	require.NoError(t, os.WriteFile(p+".journal", []byte(strings.Join(lines, "")), 0o600))
	doc, _ := os.ReadFile(p)
	jl, _ = os.ReadFile(p + ".journal")

	_, _, _, err = state.OpenJournal(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ws.json.journal is damaged: saved command 1 does not match its checksum")
	doc2, _ := os.ReadFile(p)
	jl2, _ := os.ReadFile(p + ".journal")
	assert.Equal(t, doc, doc2)
	assert.Equal(t, jl, jl2)
	// The refusal released the lock.
	_, _, _, err = state.OpenJournal(p)
	assert.NotErrorIs(t, err, state.ErrLocked)
}

// A state file as hsmsim wrote it before the journal (a plain document)
// opens and is migrated.
func TestJournalOpensAPlainDocument(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	s := recSession(t)
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	s.Exec("genSymKey -t 31 -s 32 -l old")
	doc, err := s.Snapshot()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, doc, 0o644))

	j, s2 := jrnOpen(t, p)
	assert.Equal(t, jrnDoc(t, s), jrnDoc(t, s2))
	jrnRun(t, j, s2, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 16 -l new")
	want := jrnDoc(t, s2)
	require.NoError(t, j.Close())
	st, _ := os.Stat(p)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "the file keeps its mode")
	j3, s3 := jrnOpen(t, p)
	defer j3.Close()
	assert.Equal(t, want, jrnDoc(t, s3))
}

// A journal naming another document is what a compaction that stopped
// after renaming the new document leaves: it is already in the document.
func TestJournalOfAnotherDocumentIsDropped(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ws.json")
	j, s := jrnOpen(t, p)
	jrnRun(t, j, s, "echo one > f")
	oldJournal, _ := os.ReadFile(p + ".journal")
	require.NoError(t, j.Compact(s.Cluster, s.Files()))
	want := jrnDoc(t, s)
	require.NoError(t, j.Close())
	require.NoError(t, os.WriteFile(p+".journal", oldJournal, 0o600))
	j2, s2 := jrnOpen(t, p)
	defer j2.Close()
	assert.Empty(t, j2.Notes)
	assert.Equal(t, want, jrnDoc(t, s2))
}

func TestJournalRefusesASecondWriter(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ws.json")
	j, _ := jrnOpen(t, p)
	_, _, _, err := state.OpenJournal(p)
	require.ErrorIs(t, err, state.ErrLocked)
	assert.Equal(t, p+" is in use by another hsmsim (it holds the lock "+p+".lock); close that one first, or use another --state file", err.Error())
	require.NoError(t, j.Close())
	j2, _ := jrnOpen(t, p)
	require.NoError(t, j2.Close())
}

func TestJournalThroughASymlinkKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	j, s := jrnOpen(t, real)
	require.NoError(t, j.Close())
	require.NoError(t, os.Chmod(real, 0o640))
	require.NoError(t, os.Symlink("real.json", link))
	j, s = jrnOpen(t, link)
	jrnRun(t, j, s, "echo x > f")
	require.NoError(t, j.Compact(s.Cluster, s.Files()))
	require.NoError(t, j.Close())
	st, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeSymlink, "the link is still a link")
	st, _ = os.Stat(real)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	assert.Equal(t, []string{"link.json", "real.json", "real.json.journal", "real.json.lock"}, jrnNames(t, dir))
}

func TestJournalClearsTemporaryFilesLeftByAKilledProcess(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	j, _ := jrnOpen(t, p)
	require.NoError(t, j.Close())
	for _, n := range []string{".ws.json.tmp-1", ".ws.json.journal.tmp-2"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("half"), 0o600))
	}
	j, _ = jrnOpen(t, p)
	require.NoError(t, j.Close())
	assert.Equal(t, []string{"ws.json", "ws.json.journal", "ws.json.lock"}, jrnNames(t, dir))
}

func TestJournalCompactsPastItsSize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ws.json")
	j, s := jrnOpen(t, p)
	defer j.Close()
	big := strings.Repeat("x", 200<<10)
	for i := range 12 {
		jrnRun(t, j, s, "echo "+big+string(rune('a'+i))+" > f")
	}
	jl, err := os.ReadFile(p + ".journal")
	require.NoError(t, err)
	assert.Less(t, len(jl), 2<<20, "the journal was compacted once past the document's size and 1 MiB")
}

// FuzzJournal feeds damaged journals to the state file loader: it never
// panics, and what it accepts is a sound workspace.
func FuzzJournal(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "ws.json")
	j, c, files, err := state.OpenJournal(p)
	if err != nil {
		f.Fatal(err)
	}
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(1)})
	if err != nil {
		f.Fatal(err)
	}
	_, _ = c, files
	if err := j.Create(s.Cluster, s.Files()); err != nil {
		f.Fatal(err)
	}
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 16 -l f", "deleteKey -k 524288"} {
		if rep := s.Exec(l); rep.Changed {
			if err := j.Save(s.Cluster, s.Files()); err != nil {
				f.Fatal(err)
			}
		}
	}
	j.Close()
	doc, _ := os.ReadFile(p)
	jl, _ := os.ReadFile(p + ".journal")
	f.Add(jl)
	f.Add(jl[:len(jl)/2])
	f.Fuzz(func(t *testing.T, journal []byte) {
		d := t.TempDir()
		q := filepath.Join(d, "ws.json")
		require.NoError(t, os.WriteFile(q, doc, 0o600))
		require.NoError(t, os.WriteFile(q+".journal", journal, 0o600))
		j, c, _, err := state.OpenJournal(q)
		if err != nil {
			after, _ := os.ReadFile(q + ".journal")
			require.Equal(t, journal, after, "a refused journal was changed")
			return
		}
		defer j.Close()
		require.NoError(t, state.Check(c))
	})
}
