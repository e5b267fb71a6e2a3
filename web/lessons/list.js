// The seed tutorials as playground lessons (CONTRACT §4 lessons(): [{ id, title, url }]).
// They arrive in a later issue; until then the list is empty.
export const lessons = [];
