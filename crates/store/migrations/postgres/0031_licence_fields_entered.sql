-- An application has no form of its own to fill a licence from: a licence field once taken
-- "from the application form" is written by the approver on concluding, like the licensed
-- scope. Every stored type is rewritten so, its fields kept in order.
UPDATE licence_kinds k
SET fields = (
    SELECT COALESCE(
        json_agg(
            (CASE WHEN t.e ->> 'source' = 'form'
                  THEN jsonb_set(t.e, '{source}', '"entered"')
                  ELSE t.e END) - 'form_key'
            ORDER BY t.i
        )::text,
        '[]'
    )
    FROM jsonb_array_elements(k.fields::jsonb) WITH ORDINALITY AS t(e, i)
);
