"""The real data.gouv.fr Python client (`datagouv-client` from PyPI) against a running Plateau.

Usage: python datagouv_client_scenario.py <base-url> <api-key>

Creates a dataset, updates it, adds a remote resource, uploads a file, reads everything back
through the client, then deletes the dataset. Then creates five datasets with a tag and an
organization, and lists, searches and suggests them at once (read-your-writes), as scripts do. Any difference from what the client expects
raises, and the exit status is non-zero.
"""

import sys
import tempfile

from datagouv import Client


def main(base_url: str, api_key: str) -> None:
    client = Client(api_key=api_key, verbose=False)
    client.base_url = base_url.rstrip("/")

    dataset = client.create_dataset(
        {
            "title": "Qualité de l'air — scénario client",
            "description": "Un jeu de données créé par datagouv-client contre Plateau, "
            "pour vérifier que le client officiel fonctionne sans modification.",
            "frequency": "monthly",
        }
    )
    assert dataset.title.startswith("Qualité"), dataset.title
    assert dataset.frequency == "monthly", dataset.frequency

    dataset.update({"title": "Qualité de l'air (mis à jour)", "tags": ["air", "qualite"]})
    assert dataset.title == "Qualité de l'air (mis à jour)", dataset.title
    assert sorted(dataset.tags) == ["air", "qualite"], dataset.tags

    remote = dataset.create_remote(
        {"title": "Mesures horaires", "url": "https://example.org/mesures.csv", "format": "csv"}
    )
    assert remote.url == "https://example.org/mesures.csv", remote.url
    assert remote.filetype == "remote", remote.filetype

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
        handle.write("station;date;pm10\n")
        for day in range(1, 29):
            handle.write(f"Paris;2026-02-{day:02d};{day * 1.5:.1f}\n")
        path = handle.name
    uploaded = dataset.create_static(path, {"title": "Mesures de février"})
    assert uploaded.filetype == "file", uploaded.filetype
    assert uploaded.format == "csv", uploaded.format
    assert uploaded.title == "Mesures de février", uploaded.title

    fresh = client.dataset(dataset.id)
    titles = sorted(r.title for r in fresh.resources)
    assert titles == ["Mesures de février", "Mesures horaires"], titles

    dataset.delete()

    # Write, then list at once: what a script creates is in the lists it reads next.
    tag = f"lot-client-{dataset.id}"
    created = {
        client.create_dataset(
            {"title": f"Lot du client {i}", "description": "Créé puis listé.", "tags": [tag]}
        ).id
        for i in range(5)
    }
    listed = {d["id"] for d in client.get_all_from_api_query(f"api/1/datasets/?tag={tag}")}
    assert listed == created, (listed, created)
    session, base = client.session, client.base_url
    org = session.post(
        f"{base}/api/1/organizations/",
        json={"name": f"Observatoire client {dataset.id}", "description": "Créée puis cherchée."},
    )
    org.raise_for_status()
    org_id = org.json()["id"]
    found = session.get(f"{base}/api/1/organizations/", params={"q": "observatoire client"})
    assert [o["id"] for o in found.json()["data"]] == [org_id], found.text
    suggested = session.get(
        f"{base}/api/1/organizations/suggest/", params={"q": "observatoire client"}
    )
    assert [o["id"] for o in suggested.json()] == [org_id], suggested.text
    for dataset_id in created:
        session.delete(f"{base}/api/1/datasets/{dataset_id}/").raise_for_status()
    # Their owner still lists them, marked deleted (as uData's owner view does).
    left = list(client.get_all_from_api_query(f"api/1/datasets/?tag={tag}"))
    assert all(d["deleted"] for d in left), [d["id"] for d in left if not d["deleted"]]
    public = Client(verbose=False)
    public.base_url = base
    assert list(public.get_all_from_api_query(f"api/1/datasets/?tag={tag}")) == []

    print(f"datagouv-client scenario passed against {base_url} (dataset {dataset.id})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
