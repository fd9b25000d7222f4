# NOTE FOR THE HELPER WRITING THIS FILE: read /work/notes/common.md first (shell set-up with
# TEST_DATABASE_NAME=test_h2, no git commands, no make targets, who owns which file). Remove this note.
