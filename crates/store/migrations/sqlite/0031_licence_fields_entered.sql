-- An application has no form of its own to fill a licence from: a licence field once taken
-- "from the application form" is written by the approver on concluding, like the licensed
-- scope. Every stored type is rewritten so, its fields kept in order.
UPDATE licence_kinds
SET fields = (
    SELECT json_group_array(
        json_remove(
            CASE json_extract(e.value, '$.source')
                WHEN 'form' THEN json_set(e.value, '$.source', 'entered')
                ELSE json(e.value)
            END,
            '$.form_key'
        )
    )
    FROM json_each(licence_kinds.fields) AS e
);
