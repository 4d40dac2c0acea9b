"""The grid events JSON API: `staff` (intake, list, detail, actions), `public` (residents by receipt number),
`shapes` (serializers in and out), `rows` (the rows and the detail both return)."""
