"""The enforcement JSON API (under /api/v1/enforcement/): the matter catalogue, who is responsible for a
place (四责), cases (list, open, detail with record and documents, actions, record attachments,
officers, preservation of evidence), grid-event conversion and officers' patrol logs.
One module a resource (matters, cases, patrols), the renderings in case_data;
views are parse → access → action → render. Routes: enforcement/api_urls.py."""
