package shell

import (
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/state"
)

// Reload replaces the cluster and files with a newer saved state (another
// browser tab changed the workspace) while keeping this session: the tool
// that runs, who is logged in, and this session's session keys, which were
// never saved.
func (s *Session) Reload(saved []byte) error {
	c, files, err := state.Decode(saved)
	if err != nil {
		return err
	}
	return s.ReloadState(c, files)
}

// ReloadState is Reload for a workspace already decoded.
func (s *Session) ReloadState(c *hsm.Cluster, files map[string][]byte) error {
	if err := state.Check(c); err != nil {
		return err
	}
	s.adopt(c)
	if m, ok := s.FS.(*vfs.Mem); ok {
		return m.Restore(files)
	}
	return nil
}

// SessionKeys is a copy of a session's session keys, which are never
// saved, taken before a command so that undoing the command (Undo) puts
// them back as they were.
type SessionKeys struct {
	objs map[int][]*hsm.Object // node id -> its session keys
}

// SessionKeys copies the session keys of every node. The browser takes it
// before every command, so it must not cost more with more keys: the
// session keeps its copy (sessionKeyCache) and brings it up to date from
// the cluster's record of what changed since (hsm.Cluster.ChangesSince),
// looking at every key only when the cluster was replaced.
func (s *Session) SessionKeys() SessionKeys {
	s.sk.update(s.Cluster)
	out := SessionKeys{objs: map[int][]*hsm.Object{}}
	for id, objs := range s.sk.objs {
		for _, o := range objs {
			out.objs[id] = append(out.objs[id], o)
		}
	}
	return out
}

// sessionKeyCache is a copy of a cluster's session keys as they were at
// mark. Its objects are copies that nothing changes: a key that changes is
// copied anew, so SessionKeys values handed out earlier keep what they had.
type sessionKeyCache struct {
	cluster *hsm.Cluster
	mark    hsm.Mark
	objs    map[int]map[uint64]*hsm.Object // node id -> handle -> copy
}

// update brings the copy to what c holds now.
func (k *sessionKeyCache) update(c *hsm.Cluster) {
	if k.cluster == c {
		ch := c.ChangesSince(k.mark)
		if !ch.All {
			for _, n := range c.Nodes {
				for _, h := range ch.Keys {
					k.put(n, h)
				}
			}
			k.mark = c.Mark()
			return
		}
	}
	k.cluster, k.mark, k.objs = c, c.Mark(), map[int]map[uint64]*hsm.Object{}
	for _, n := range c.Nodes {
		// Session keys are never in a saved record, so all of them are
		// among the keys decoded so far.
		for h := range n.LoadedObjects() {
			k.put(n, h)
		}
	}
}

// put copies key h of node n if it is a session key, and forgets the
// copy it had otherwise.
func (k *sessionKeyCache) put(n *hsm.Node, h uint64) {
	if o, ok := n.LoadedObjects()[h]; ok && !o.Token {
		if k.objs[n.ID] == nil {
			k.objs[n.ID] = map[uint64]*hsm.Object{}
		}
		k.objs[n.ID][h] = o.Clone()
		return
	}
	delete(k.objs[n.ID], h)
}

// Undo takes back a command whose change could not be saved: the cluster
// and files become the saved state c and files (what the store still
// holds), and the session keys those of keep, taken before the command.
// The tool that runs and who is logged in stay, as in ReloadState. A saved
// key that now holds a handle keep had wins: it is what the store holds.
func (s *Session) Undo(c *hsm.Cluster, files map[string][]byte, keep SessionKeys) error {
	for id, objs := range keep.objs {
		n := c.Node(id)
		if n == nil {
			continue
		}
		for _, o := range objs {
			if !n.Has(o.Handle) {
				c.PutObject(id, o.Clone())
			}
		}
	}
	if err := state.Check(c); err != nil {
		return err
	}
	// Replace carries over the live session keys that c has no key at:
	// those the command made or changed go first.
	s.Cluster.DropSession("")
	s.adopt(c)
	if m, ok := s.FS.(*vfs.Mem); ok {
		return m.Restore(files)
	}
	return nil
}

// adopt copies c into the session's cluster value, so tools that hold the
// *hsm.Cluster see the new state; Replace carries the session keys over.
func (s *Session) adopt(c *hsm.Cluster) { s.Cluster.Replace(c) }

// ReadFile, WriteFile, RemoveFile and ListFiles give a user interface the
// workspace's files (upload, download, delete). Names are paths from the
// root. ReadFile of a folder answers a zip archive of it, so that a
// download keeps the folder's paths.
func (s *Session) ReadFile(name string) ([]byte, error) {
	if st, err := s.FS.Stat(name); err == nil && st.Dir {
		return s.zipFolder(name)
	}
	return s.FS.ReadFile(name)
}

// zipFolder archives a folder with everything in it; the entries' names
// start with the folder's own name ("keys/aes.key"), as a folder download
// unpacks. The entries are stored as they are (key files are small and
// do not compress) and their times are fixed, so one folder always gives
// the same bytes.
func (s *Session) zipFolder(name string) ([]byte, error) {
	root, err := vfs.Resolve("", name)
	if err != nil {
		return nil, err
	}
	all, err := s.FS.List()
	if err != nil {
		return nil, err
	}
	prefix := ""
	if i := strings.LastIndexByte(root, '/'); i >= 0 {
		prefix = root[:i+1]
	}
	var zw zipWriter
	size := 0
	for _, f := range all {
		if root != "" && f.Name != root && !strings.HasPrefix(f.Name, root+"/") {
			continue
		}
		entry := strings.TrimPrefix(f.Name, prefix)
		if f.Dir {
			if err := zw.add(entry+"/", nil); err != nil {
				return nil, err
			}
			continue
		}
		data, err := s.FS.ReadFile("/" + f.Name)
		if err != nil {
			return nil, err
		}
		if size += len(data); size > vfs.MaxFileSize*4 {
			return nil, fmt.Errorf("%s: the folder holds more than %d bytes, too much for one download", name, vfs.MaxFileSize*4)
		}
		if err := zw.add(entry, data); err != nil {
			return nil, err
		}
	}
	return zw.bytes(), nil
}

// WriteFile creates or replaces a file of the workspace.
func (s *Session) WriteFile(name string, data []byte) error { return s.FS.WriteFile(name, data) }

// RemoveFile deletes a file of the workspace, or a folder with all it
// holds. Names are paths from the root.
func (s *Session) RemoveFile(name string) error { return s.FS.RemoveAll(name) }

// ListFiles lists the workspace's files and folders by path from the root.
func (s *Session) ListFiles() ([]vfs.FileInfo, error) { return s.FS.List() }

// Files returns every file's content when the files live in memory.
func (s *Session) Files() map[string][]byte {
	if m, ok := s.FS.(*vfs.Mem); ok {
		return m.Snapshot()
	}
	return nil
}
