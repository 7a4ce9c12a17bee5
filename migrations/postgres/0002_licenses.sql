-- Licenses datasets may reference: the shipped list, loaded at first start, plus the
-- administrator's additions (`plateau license add`). `position` keeps the listing order.
CREATE TABLE licenses (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    doc TEXT NOT NULL
);
