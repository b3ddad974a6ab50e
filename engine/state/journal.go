package state

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/internal/atomicfile"
)

// A Journal keeps a workspace in a file natively so that saving a command
// costs what the command changed, and a command whose answer was shown is
// never lost:
//
//	FILE          the state document (as Encode writes it) at the last
//	              compaction, naming its journal by a random id
//	FILE.journal  a header line naming that id, then one line per saved
//	              command: the SHA-256 of the entry, a space, the entry
//	              (the records the command put and the ones it deleted,
//	              exactly the browser's per-command delta), a newline
//	FILE.lock     the lock that keeps a second process out (see Lock)
//
// A save appends one line and syncs the journal before the command's answer
// is printed. Opening replays the journal onto the document and compacts
// (a new document, synced and renamed into place with its directory
// synced, then an empty journal); so does a save that grows the journal
// past the document's size. A journal naming another id is what a
// compaction that stopped after writing the new document leaves: it is
// already in the document and is dropped. A last line without its newline
// or with a wrong checksum is a save the process did not finish (so its
// answer was never shown): it is dropped with a note. Any other damage
// refuses the workspace and changes no file.
type Journal struct {
	path, jpath string
	lock        *Lock
	f           *os.File // the journal, open for appending
	size        int64    // bytes in the journal
	snapSize    int64    // bytes in the document
	tr          *Tracker
	broken      bool  // an append failed half way: compact before the next one
	headSize    int64 // bytes of the journal's header line

	// Notes are messages for the user from opening (a dropped record).
	Notes []string
}

// journalFormat names the journal's header line.
const journalFormat = "hsmsim-journal"

// minCompact is the journal size below which a save never compacts.
const minCompact = 1 << 20

type journalHead struct {
	Format   string `json:"format"`
	Version  int    `json:"version"`
	Snapshot string `json:"snapshot"`
}

// journalEntry is one saved command: record values by key (file records
// hold the file's bytes; the others JSON) and the keys deleted.
type journalEntry struct {
	Puts map[string][]byte `json:"puts"`
	Dels []string          `json:"dels,omitempty"`
}

// OpenJournal locks the workspace at path and reads it. The cluster is nil
// when there is none yet: Create writes the first one. A workspace that
// cannot be read is refused, its files untouched, and the lock released.
func OpenJournal(path string) (j *Journal, c *hsm.Cluster, files map[string][]byte, err error) {
	real, err := atomicfile.Resolve(path)
	if err != nil {
		return nil, nil, nil, err
	}
	lock, err := LockFile(real)
	if err != nil {
		return nil, nil, nil, err
	}
	j = &Journal{path: real, jpath: real + ".journal", lock: lock}
	opened := j
	defer func() {
		if err != nil {
			opened.Close()
		}
	}()
	// Under the lock no other process writes: what temporary files exist
	// were left by one that was killed.
	if err := errors.Join(atomicfile.RemoveTemps(j.path), atomicfile.RemoveTemps(j.jpath)); err != nil {
		return nil, nil, nil, err
	}
	doc, err := readLimited(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, jerr := os.Stat(j.jpath); jerr == nil {
			return nil, nil, nil, fmt.Errorf("%s has no workspace but %s exists; move the journal away to start afresh", path, j.jpath)
		}
		return j, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	sealed, err := checkSeal(doc)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("state is damaged: %v", err)
	}
	snap, err := decodeSnapshot(doc)
	if err != nil {
		return nil, nil, nil, err
	}
	if snap.Journal != "" && !sealed {
		return nil, nil, nil, errors.New("state is damaged: it names a journal but has no checksum")
	}
	c, files = snap.Cluster, snap.Files
	j.snapSize = int64(len(doc))
	entries, stale, notes, err := readJournal(j.jpath, snap.Journal)
	if err != nil {
		return nil, nil, nil, err
	}
	j.Notes = notes
	if len(entries) > 0 {
		recs, err := Records(c, files)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, e := range entries {
			for _, k := range e.Dels {
				delete(recs, k)
			}
			maps.Copy(recs, e.Puts)
		}
		// Every check on load, as the document written next will have.
		if c, files, err = fromRecords(recs, true); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: the saved commands do not apply to the workspace: %v", j.jpath, err)
		}
	}
	if len(entries) > 0 || stale || len(notes) > 0 || snap.Journal == "" {
		err = j.Compact(c, files)
	} else {
		err = j.reopen(c, files)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return j, c, files, nil
}

// readLimited reads a file of at most MaxSize bytes.
func readLimited(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a state may hold", path, st.Size(), MaxSize)
	}
	return os.ReadFile(path)
}

// readJournal reads the entries of the journal of the document with the
// given id. stale reports a journal of another document (or none at all).
func readJournal(path, id string) (entries []journalEntry, stale bool, notes []string, err error) {
	b, err := readLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil, nil
	}
	if err != nil {
		return nil, false, nil, err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return nil, true, nil, nil
	}
	var head journalHead
	if !bytes.HasSuffix(lines[0], []byte("\n")) || json.Unmarshal(lines[0], &head) != nil || head.Format != journalFormat {
		return nil, false, nil, fmt.Errorf("%s is damaged: its first line is not a journal header (the workspace was not loaded; no file was changed)", path)
	}
	if head.Version != 1 {
		return nil, false, nil, fmt.Errorf("%s: journal version %d: %w", path, head.Version, ErrTooNew)
	}
	if id == "" || head.Snapshot != id {
		return nil, true, nil, nil
	}
	for i, line := range lines[1:] {
		e, ok := decodeEntry(line)
		if ok {
			entries = append(entries, e)
			continue
		}
		if i == len(lines)-2 {
			notes = append(notes, fmt.Sprintf("%s: the last saved command was cut short (the process stopped while writing it, before its answer was shown); it is dropped", path))
			break
		}
		return nil, false, nil, fmt.Errorf("%s is damaged: saved command %d does not match its checksum (the workspace was not loaded; no file was changed)", path, i+1)
	}
	return entries, false, notes, nil
}

func decodeEntry(line []byte) (journalEntry, bool) {
	var e journalEntry
	body, ok := bytes.CutSuffix(line, []byte("\n"))
	if !ok || len(body) < 2*sha256.Size+1 || body[2*sha256.Size] != ' ' {
		return e, false
	}
	sum, payload := body[:2*sha256.Size], body[2*sha256.Size+1:]
	want := sha256.Sum256(payload)
	if string(sum) != hex.EncodeToString(want[:]) {
		return e, false
	}
	if json.Unmarshal(payload, &e) != nil || e.Puts == nil {
		return e, false
	}
	return e, true
}

// Create writes the first state of a new workspace.
func (j *Journal) Create(c *hsm.Cluster, files map[string][]byte) error {
	return j.Compact(c, files)
}

// Save makes the changes since the last save durable: one journal line,
// synced, holding the records that changed (what the cluster recorded
// changing, Tracker.Delta).
func (j *Journal) Save(c *hsm.Cluster, files map[string][]byte) error {
	if j.broken || j.f == nil {
		return j.Compact(c, files)
	}
	puts, dels, err := j.tr.Delta(c, files)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(journalEntry{Puts: puts, Dels: dels})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(payload)
	line := make([]byte, 0, 2*sha256.Size+len(payload)+2)
	line = hex.AppendEncode(line, sum[:])
	line = append(line, ' ')
	line = append(line, payload...)
	line = append(line, '\n')
	_, werr := j.f.Write(line)
	if werr == nil {
		werr = j.f.Sync()
	}
	if werr != nil {
		// Take back what part of the line was written, so the next
		// line does not follow a torn one; failing that, the next save
		// rewrites everything.
		if j.f.Truncate(j.size) != nil || j.f.Sync() != nil {
			j.broken = true
		}
		return werr
	}
	j.tr.Saved()
	j.size += int64(len(line))
	if j.size > max(minCompact, j.snapSize) {
		return j.Compact(c, files)
	}
	return nil
}

// Compact writes the whole workspace as a new document and starts an empty
// journal for it.
func (j *Journal) Compact(c *hsm.Cluster, files map[string][]byte) error {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	id := hex.EncodeToString(raw[:])
	doc, err := encode(c, files, id)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(j.path, doc, 0o600); err != nil {
		return err
	}
	j.snapSize = int64(len(doc))
	head, err := json.Marshal(journalHead{Format: journalFormat, Version: 1, Snapshot: id})
	if err != nil {
		return err
	}
	if err := atomicfile.Write(j.jpath, append(head, '\n'), 0o600); err != nil {
		return err
	}
	j.headSize = int64(len(head) + 1)
	j.broken = false
	return j.reopen(c, files)
}

// reopen opens the journal for appending and takes the workspace as saved.
func (j *Journal) reopen(c *hsm.Cluster, files map[string][]byte) error {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
	f, err := os.OpenFile(j.jpath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	j.f, j.size = f, st.Size()
	if j.headSize == 0 || j.size < j.headSize {
		j.headSize = j.size
	}
	j.tr = NewTracker(c, files)
	return nil
}

// Pending reports whether the journal holds saved commands that the
// document does not (a compaction would fold them in).
func (j *Journal) Pending() bool { return j.broken || j.size > j.headSize }

// Path is the workspace's file (after following a symbolic link).
func (j *Journal) Path() string { return j.path }

// Close closes the journal and releases the lock.
func (j *Journal) Close() error {
	var err error
	if j.f != nil {
		err = j.f.Close()
		j.f = nil
	}
	if j.lock != nil {
		err = errors.Join(err, j.lock.Release())
		j.lock = nil
	}
	return err
}
