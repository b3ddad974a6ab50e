package shell

import (
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

// adopt copies c into the session's cluster value, so tools that hold the
// *hsm.Cluster see the new state; Replace carries the session keys over.
func (s *Session) adopt(c *hsm.Cluster) { s.Cluster.Replace(c) }

// ReadFile, WriteFile, RemoveFile and ListFiles give a user interface the
// workspace's files (upload, download, delete).
func (s *Session) ReadFile(name string) ([]byte, error) { return s.FS.ReadFile(name) }

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
