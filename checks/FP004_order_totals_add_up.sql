-- code: FP004
-- severity: error
-- description: an order's grand_total is not sub_total - discount + shipping_cost, or its sub_total is not the sum of its lines
-- hint: an order with lines in quarantine is left out of the second comparison until they are back
SELECT o.id AS order_id, o.sub_total, o.discount, o.shipping_cost, o.grand_total, l.lines_total
FROM orders o
LEFT JOIN (SELECT order_id, sum(total_price) AS lines_total FROM order_details GROUP BY order_id) l ON l.order_id = o.id
WHERE o.grand_total IS DISTINCT FROM o.sub_total - coalesce(o.discount, 0) + coalesce(o.shipping_cost, 0)
   OR (l.lines_total IS NOT NULL AND o.sub_total IS DISTINCT FROM l.lines_total
       AND NOT EXISTS (SELECT 1 FROM quarantine.entries q
                       WHERE q.source_table = 'public.order_details' AND q.kind = 'row'
                         AND q.data ->> 'order_id' = o.id::text))
ORDER BY o.id
